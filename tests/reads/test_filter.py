"""Pair-aware alignment filtering on hand-built records."""
import json

import pysam
import pytest

from deepallele.reads.filter import excluded_contigs, filter_pairs

HEADER = {"HD": {"VN": "1.6", "SO": "unsorted"},
          "SQ": [{"SN": "chr1", "LN": 1000}, {"SN": "chrM", "LN": 500}, {"SN": "chr1_random", "LN": 300}]}


def _pair(header, name, tid, pos, mapq=(40, 40), proper=True):
    out = []
    for i, (p, mq) in enumerate(zip((pos, pos + 100), mapq)):
        r = pysam.AlignedSegment(header)
        r.query_name = name
        r.flag = (1 | (2 if proper else 0) | (64 if i == 0 else 128) | (32 if i == 0 else 16))
        r.reference_id = tid
        r.reference_start = p
        r.mapping_quality = mq
        r.cigarstring = "50M"
        r.next_reference_id = tid
        r.next_reference_start = pos + 100 if i == 0 else pos
        r.template_length = 150 if i == 0 else -150
        r.query_sequence = "A" * 50
        r.query_qualities = pysam.qualitystring_to_array("I" * 50)
        out.append(r)
    return out


def _write(path, pairs):
    header = pysam.AlignmentHeader.from_dict(HEADER)
    with pysam.AlignmentFile(str(path), "wb", header=header) as bam:
        for args in pairs:
            for r in _pair(header, *args):
                bam.write(r)


def test_excluded_contigs_by_glob():
    names = ["chr1", "chrM", "chr1_random", "chrUn_JH584304", "chr10"]
    assert excluded_contigs(names, ["chrM", "*random*", "chrUn*"]) == {"chrM", "chr1_random", "chrUn_JH584304"}
    assert excluded_contigs(names, []) == set()


def test_filter_keeps_whole_pairs_only(tmp_path):
    src = tmp_path / "in.bam"
    _write(src, [("good", 0, 10), ("mito", 1, 10), ("rand", 2, 10),
                 ("lowq", 0, 200, (40, 1)), ("improper", 0, 300, (40, 40), False), ("good2", 0, 400)])
    out = tmp_path / "out.bam"
    stats = filter_pairs(src, out, min_mapq=2, exclude=["chrM", "*random*"], stats_json=tmp_path / "s.json")
    with pysam.AlignmentFile(str(out)) as bam:
        names = [r.query_name for r in bam.fetch(until_eof=True)]
    assert names == ["good", "good", "good2", "good2"]
    assert (stats.pairs_in, stats.proper_pairs, stats.excluded_contig, stats.low_mapq, stats.pairs_kept) == (6, 5, 2, 1, 2)
    assert json.loads((tmp_path / "s.json").read_text())["pairs_kept"] == 2


def test_filter_rejects_non_adjacent_mates(tmp_path):
    header = pysam.AlignmentHeader.from_dict(HEADER)
    a, b = _pair(header, "a", 0, 10), _pair(header, "b", 0, 20)
    src = tmp_path / "in.bam"
    with pysam.AlignmentFile(str(src), "wb", header=header) as bam:
        for r in (a[0], b[0], a[1], b[1]):
            bam.write(r)
    with pytest.raises(ValueError, match="not adjacent"):
        filter_pairs(src, tmp_path / "out.bam")
    assert not (tmp_path / "out.bam").exists() and not (tmp_path / "out.bam.tmp").exists()
