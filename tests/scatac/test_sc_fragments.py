"""Fragment files with sinto 0.10.1 semantics, on hand-built BAMs with hand-derived fragments;
the tie split, combine, file round trip and the allele route."""
from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pysam
import pytest

from deepallele.scatac import fragments as fr
from deepallele.scatac.fragments import (FRAGMENT_COLUMNS, STATS_KEYS, allele_fragments, benchmark_fragments,
                                         build_fragments, combine_fragments, read_fragments, split_ties,
                                         write_fragments, write_synthetic_bam)

HEADER = {"HD": {"VN": "1.6", "SO": "coordinate"},
          "SQ": [{"SN": "chr1", "LN": 3000}, {"SN": "chr2", "LN": 12000}, {"SN": "1", "LN": 3000}]}


def _read(hdr, name, chrom, pos, cigar, reverse, mapq, tags):
    r = pysam.AlignedSegment(hdr)
    r.query_name = name
    r.flag = 0x1 | 0x2 | (0x10 | 0x80 if reverse else 0x20 | 0x40)
    r.reference_id = r.next_reference_id = hdr.get_tid(chrom)
    r.reference_start = pos
    r.cigarstring = cigar
    r.mapping_quality = mapq
    n = r.query_length
    r.query_sequence = "A" * n
    r.query_qualities = pysam.qualitystring_to_array("I" * n)
    for k, v in tags.items():
        r.set_tag(k, v)
    return r


def pair(name, start, end, chrom="chr1", bc="AAAC", mapq=(40, 40), po=None, fwd_cigar="50M", rev_cigar="50M",
         bcs=None):
    """A read pair whose forward mate's aligned bases start at ``start`` and whose reverse mate's
    aligned bases end at ``end`` (unshifted BAM coordinates). ``bcs`` gives the (forward, reverse)
    CB tags (None: no tag); by default both carry ``bc``."""
    def spec(reverse, cigar, q, b):
        tags = {} if b is None else {"CB": b}
        if po is not None:
            tags["po"] = po
        return dict(name=name, chrom=chrom, cigar=cigar, reverse=reverse, mapq=q, tags=tags)
    fb, rb = bcs if bcs is not None else (bc, bc)
    f = spec(False, fwd_cigar, mapq[0], fb)
    f["pos"] = start
    r = spec(True, rev_cigar, mapq[1], rb)
    r["end"] = end
    return [f, r]


def write_bam(path, specs, header=HEADER) -> Path:
    """Coordinate-sorted, indexed BAM of the read specs (stable order for equal positions)."""
    hdr = pysam.AlignmentHeader.from_dict(header)
    reads = []
    for s in specs:
        pos = s.get("pos")
        if pos is None:   # reverse mate placed by its end
            probe = pysam.AlignedSegment(hdr)
            probe.cigarstring = s["cigar"]
            pos = s["end"] - probe.reference_length
        reads.append(_read(hdr, s["name"], s["chrom"], pos, s["cigar"], s["reverse"], s["mapq"], s["tags"]))
    reads.sort(key=lambda r: (r.reference_id, r.reference_start))
    with pysam.AlignmentFile(str(path), "wb", header=hdr) as out:
        for r in reads:
            out.write(r)
    pysam.index(str(path))
    return Path(path)


def rows(df) -> list[tuple]:
    return [tuple(x) for x in df[FRAGMENT_COLUMNS].itertuples(index=False)]


def pairs(*items):
    return [rec for p in items for rec in p]


# ----------------------------------------------------------------------------------------------
# fragment coordinates and filters
# ----------------------------------------------------------------------------------------------

def test_pair_gives_shifted_fragment(tmp_path):
    bam = write_bam(tmp_path / "a.bam", pair("p1", 1000, 1200))
    df, st = build_fragments(bam)
    # + mate start 1000 + 4; - mate end 1200 - 5
    assert rows(df) == [("chr1", 1004, 1195, "AAAC", 1)]
    assert list(df.dtypes.astype(str)) == ["str", "int64", "int64", "str", "int64"]
    assert set(st) == set(STATS_KEYS)
    assert (st["records"], st["pairs"], st["kept"], st["fragments"]) == (2, 1, 1, 1)


def test_soft_clips_and_mate_order(tmp_path):
    bam = write_bam(tmp_path / "a.bam", pairs(
        # clips on both outer ends: the aligned bases count, not the clipped 5' ends
        pair("clip", 1000, 1200, fwd_cigar="5S45M", rev_cigar="45M5S"),
        # reverse mate starts left of the forward mate (short fragment): same rule
        pair("short", 500, 540, bc="CCCC"),
        # both mates forward: dropped
        [dict(name="same", chrom="chr1", pos=2000, cigar="50M", reverse=False, mapq=40, tags={"CB": "GGGG"}),
         dict(name="same", chrom="chr1", pos=2100, cigar="50M", reverse=False, mapq=40, tags={"CB": "GGGG"})],
    ))
    df, st = build_fragments(bam)
    assert rows(df) == [("chr1", 504, 535, "CCCC", 1), ("chr1", 1004, 1195, "AAAC", 1)]
    assert st["skipped_same_strand"] == 1 and st["pairs"] == 3


def test_mapq_on_each_mate(tmp_path):
    bam = write_bam(tmp_path / "a.bam", pairs(pair("low", 1000, 1200, mapq=(40, 29)),
                                              pair("edge", 1500, 1700, mapq=(30, 30))))
    df, st = build_fragments(bam)
    assert rows(df) == [("chr1", 1504, 1695, "AAAC", 1)]
    assert st["skipped_mapq"] == 1 and st["unpaired_records"] == 1
    df, _ = build_fragments(bam, min_mapq=29)
    assert len(df) == 2


def test_length_bounds_inclusive(tmp_path):
    # shifted length L from forward start 1000+k: reverse end = 1004 + k + L + 5
    specs = []
    for k, length in zip((0, 1000, 2000, 3000), (9, 10, 5000, 5001)):
        specs += pair(f"L{length}", 1000 + k, 1004 + k + length + 5, chrom="chr2")
    bam = write_bam(tmp_path / "a.bam", specs)
    df, st = build_fragments(bam)
    assert sorted((df["end"] - df["start"]).tolist()) == [10, 5000]
    assert (st["skipped_too_short"], st["skipped_too_long"]) == (1, 1)
    df, _ = build_fragments(bam, min_length=9, max_length=5001)
    assert len(df) == 4


def test_cross_barcode_collapse_and_within_barcode(tmp_path):
    bam = write_bam(tmp_path / "a.bam", pairs(pair("a1", 1000, 1200, bc="A"), pair("a2", 1000, 1200, bc="A"),
                                              pair("b1", 1000, 1200, bc="B")))
    df, st = build_fragments(bam)
    assert rows(df) == [("chr1", 1004, 1195, "A", 3)] and st["kept"] == 3
    for mode in ("within_barcode", "sinto_within"):
        df, _ = build_fragments(bam, dedup=mode)
        assert rows(df) == [("chr1", 1004, 1195, "A", 2), ("chr1", 1004, 1195, "B", 1)]
    # a 1-1 tie across barcodes goes to the lexicographically first barcode
    bam = write_bam(tmp_path / "t.bam", pairs(pair("z", 1000, 1200, bc="Z"), pair("y", 1000, 1200, bc="Y")))
    assert rows(build_fragments(bam)[0]) == [("chr1", 1004, 1195, "Y", 2)]


def test_shared_start_and_end_collapse_within_a_cell(tmp_path):
    # shifted [2000,2150) x1 and [2000,2163) x2 in cell A; raw forward start 1996, raw ends +5
    specs = pairs(pair("s1", 1996, 2155, bc="A"), pair("s2", 1996, 2168, bc="A"), pair("s3", 1996, 2168, bc="A"),
                  # cell B shares the start but is another cell: untouched
                  pair("o1", 1996, 2155, bc="B"))
    df, _ = build_fragments(write_bam(tmp_path / "a.bam", specs))
    assert rows(df) == [("chr1", 2000, 2155 - 5, "B", 1), ("chr1", 2000, 2163, "A", 3)]
    df, _ = build_fragments(write_bam(tmp_path / "w.bam", specs), dedup="within_barcode")
    assert rows(df) == [("chr1", 2000, 2150, "A", 1), ("chr1", 2000, 2150, "B", 1), ("chr1", 2000, 2163, "A", 2)]
    # 1-1 tie on a shared start: the shorter fragment (smaller end) takes both
    df, _ = build_fragments(write_bam(tmp_path / "t.bam", pairs(pair("t1", 1996, 2168), pair("t2", 1996, 2155))))
    assert rows(df) == [("chr1", 2000, 2150, "AAAC", 2)]
    # shared end, 1-1 tie: the smaller start (longer fragment) wins
    df, _ = build_fragments(write_bam(tmp_path / "e.bam", pairs(pair("e1", 1896, 2168), pair("e2", 1996, 2168))))
    assert rows(df) == [("chr1", 1900, 2163, "AAAC", 2)]


def test_start_merge_runs_before_end_merge(tmp_path):
    # cell A: X=[1004,1195) x2, Y=[1004,1295) x3, Z=[1104,1295) x2 (shifted)
    def build(nx, ny, nz):
        specs = []
        for i in range(nx):
            specs += pair(f"x{i}", 1000, 1200)
        for i in range(ny):
            specs += pair(f"y{i}", 1000, 1300)
        for i in range(nz):
            specs += pair(f"z{i}", 1100, 1300)
        return rows(build_fragments(write_bam(tmp_path / f"{nx}{ny}{nz}.bam", specs))[0])
    # Y wins the start group (5), then shares its end with Z: one record of 7
    assert build(2, 3, 2) == [("chr1", 1004, 1295, "AAAC", 7)]
    # X wins the start group (4); Y is gone, so Z keeps its end alone
    assert build(3, 1, 2) == [("chr1", 1004, 1195, "AAAC", 4), ("chr1", 1104, 1295, "AAAC", 2)]


def test_contig_regex(tmp_path):
    bam = write_bam(tmp_path / "a.bam", pairs(pair("c", 100, 300, chrom="chr1"), pair("e", 100, 300, chrom="1"),
                                              pair("d", 100, 300, chrom="chr2")))
    df, st = build_fragments(bam)
    assert df["chrom"].tolist() == ["chr1", "chr2"] and st["contigs_excluded"] == 1
    df, _ = build_fragments(bam, contigs=".")
    assert df["chrom"].tolist() == ["chr1", "chr2", "1"]   # BAM header order
    assert build_fragments(bam, contigs=r"^1$")[0]["chrom"].tolist() == ["1"]
    assert build_fragments(bam, contigs=None)[0]["chrom"].tolist() == ["chr1", "chr2", "1"]


def test_barcode_from_read_name(tmp_path):
    specs = pairs(pair("AAAC:r1", 1000, 1200, bc="TAG"), pair("CCGG:r2", 1500, 1700, bc="TAG"),
                  pair("nocolon", 2000, 2200, bc="TAG"))
    bam = write_bam(tmp_path / "a.bam", specs)
    df, st = build_fragments(bam, barcode_regex=r"^([^:]+):")
    assert df["barcode"].tolist() == ["AAAC", "CCGG"]
    assert st["skipped_barcode_regex"] == 2    # both mates of "nocolon"
    df, st = build_fragments(bam, barcode_regex="[^:]*")    # sinto's example: whole match
    assert df["barcode"].tolist() == ["AAAC", "CCGG", "nocolon"] and st["skipped_barcode_regex"] == 0


def test_missing_barcodes_skipped_and_counted(tmp_path):
    bam = write_bam(tmp_path / "a.bam", pairs(
        pair("none", 1000, 1200, bcs=(None, None)),
        pair("second", 1100, 1300, bcs=(None, "RRRR")),   # forward mate (read first) has none
        pair("first", 1200, 1400, bcs=("FFFF", None)),
        pair("both", 1300, 1500, bcs=("FFFF", "RRRR")),   # first-read mate's barcode wins
    ))
    df, st = build_fragments(bam)
    assert rows(df) == [("chr1", 1104, 1295, "RRRR", 1), ("chr1", 1204, 1395, "FFFF", 1),
                        ("chr1", 1304, 1495, "FFFF", 1)]
    assert st["skipped_no_barcode"] == 1
    assert st["pairs"] == (st["skipped_same_strand"] + st["skipped_too_short"] + st["skipped_too_long"]
                           + st["skipped_no_barcode"] + st["kept"])


def test_empty_output_errors_name_the_cause(tmp_path):
    ensembl = write_bam(tmp_path / "ensembl.bam", pair("e", 100, 300, chrom="1"))
    with pytest.raises(ValueError, match=r"ensembl\.bam.*hold no reads.*on 1, which do not match"):
        build_fragments(ensembl)
    only = {"HD": HEADER["HD"], "SQ": [{"SN": "1", "LN": 3000}]}
    bam = write_bam(tmp_path / "only1.bam", [dict(s, chrom="1") for s in pair("e", 100, 300)], header=only)
    with pytest.raises(ValueError, match=r"no contig name matches contigs='\(\?i\)\^chr'.*Counts"):
        build_fragments(bam)
    low = write_bam(tmp_path / "low.bam", pair("l", 100, 300, mapq=(1, 1)))
    with pytest.raises(ValueError, match=r"below MAPQ 30.*skipped_mapq 2"):
        build_fragments(low)
    nocb = write_bam(tmp_path / "nocb.bam", pair("n", 100, 300, bcs=(None, None)))
    with pytest.raises(ValueError, match=r"no CB tag.*barcode_regex"):
        build_fragments(nocb)
    df, st = build_fragments(nocb, allow_empty=True)
    assert len(df) == 0 and list(df.columns) == FRAGMENT_COLUMNS and st["skipped_no_barcode"] == 1


def test_po_filter(tmp_path):
    bam = write_bam(tmp_path / "a.bam", pairs(pair("r", 1000, 1200, po=1), pair("s", 1100, 1300, po=2),
                                              pair("t", 1200, 1400, po=3)))
    df, st = build_fragments(bam, po={3})
    assert rows(df) == [("chr1", 1204, 1395, "AAAC", 1)] and st["skipped_po"] == 4
    assert build_fragments(bam, po={1, 2})[0]["start"].tolist() == [1004, 1104]
    assert len(build_fragments(bam)[0]) == 3
    untagged = write_bam(tmp_path / "u.bam", pair("u", 1000, 1200))
    with pytest.raises(ValueError, match=r"u\.bam: read u .* no po tag"):
        build_fragments(untagged, po={3})


def test_pooled_bams_collapse_together(tmp_path):
    one = write_bam(tmp_path / "one.bam", pairs(pair("a1", 1000, 1200, bc="A"), pair("a2", 1000, 1200, bc="A")))
    two = write_bam(tmp_path / "two.bam", pairs(pair("b1", 1000, 1200, bc="B"), pair("x", 2000, 2200, bc="B")))
    df, st = build_fragments([one, two])
    assert rows(df) == [("chr1", 1004, 1195, "A", 3), ("chr1", 2004, 2195, "B", 1)] and st["kept"] == 4
    other = {"HD": HEADER["HD"], "SQ": [{"SN": "chr1", "LN": 3001}]}
    bad = write_bam(tmp_path / "bad.bam", pair("q", 100, 300), header=other)
    with pytest.raises(ValueError, match="different contigs"):
        build_fragments([one, bad])


def test_far_and_split_mates_counted_the_same_whatever_the_blocks(tmp_path, monkeypatch):
    cross = pair("cross", 1000, 1200)
    cross[1]["chrom"] = "chr2"
    specs = pairs(pair("long", 1000, 1004 + 5001 + 5, chrom="chr2"),   # met: too long
                  pair("far", 2000, 2004 + 7000 + 5, chrom="chr2"),    # > max_length + 1 kb: unpaired
                  cross, pair("ok", 1500, 1700))
    bam = write_bam(tmp_path / "a.bam", specs)
    df, st = build_fragments(bam)
    assert rows(df) == [("chr1", 1504, 1695, "AAAC", 1)]
    assert (st["skipped_too_long"], st["unpaired_records"], st["pairs"]) == (1, 4, 2)
    monkeypatch.setattr(fr, "_BLOCK_BP", 16)
    monkeypatch.setattr(fr, "_BLOCK_RECORDS", 1)
    monkeypatch.setattr(fr, "_FLUSH_PAIRS", 1)
    small, st_small = build_fragments(bam)
    assert rows(small) == rows(df) and st_small == st


# ----------------------------------------------------------------------------------------------
# streaming equals a whole-contig collapse (independent naive implementation)
# ----------------------------------------------------------------------------------------------

def _naive(path, mode):
    """sinto's rules with the whole contig in memory, written with dicts."""
    out = []
    with pysam.AlignmentFile(str(path)) as bam:
        for contig in bam.references:
            waiting, frags = {}, []
            for r in bam.fetch(contig):
                if r.flag & 0x904 or r.mapping_quality < 30:
                    continue
                bc = r.get_tag("CB") if r.has_tag("CB") else None
                side, v = ("e", r.reference_end - 5) if r.is_reverse else ("s", r.reference_start + 4)
                if r.query_name not in waiting:
                    waiting[r.query_name] = {side: v, "bc": bc}
                    continue
                w = waiting.pop(r.query_name)
                if side in w:
                    continue
                w[side] = v
                if not 10 <= w["e"] - w["s"] <= 5000:
                    continue
                bc = w["bc"] or bc
                if bc:
                    frags.append((w["s"], w["e"], bc))
            counts = Counter(frags)
            if mode != "within_barcode":
                for key_of, other_of in ((lambda f: (f[0], f[2]), lambda f: f[1]),
                                         (lambda f: (f[1], f[2]), lambda f: f[0])):
                    groups = {}
                    for f in counts:
                        groups.setdefault(key_of(f), []).append(f)
                    merged = Counter()
                    for members in groups.values():
                        win = min(members, key=lambda f: (-counts[f], other_of(f)))
                        merged[win] = sum(counts[f] for f in members)
                    counts = merged
            if mode == "sinto":
                groups = {}
                for f in counts:
                    groups.setdefault(f[:2], []).append(f)
                counts = Counter({min(m, key=lambda f: (-counts[f], f[2])): sum(counts[f] for f in m)
                                  for m in groups.values()})
            out += sorted((contig, s, e, b, c) for (s, e, b), c in counts.items())
    return out


@pytest.mark.parametrize("mode", ["sinto", "sinto_within", "within_barcode"])
def test_streaming_blocks_equal_whole_contig(tmp_path, monkeypatch, mode):
    # dense: 3,000 pairs on 4 kb, 6 barcodes, 30 % duplicates -> many shared starts and ends
    bam = write_synthetic_bam(tmp_path / "dense.bam", 3000, seed=3, n_barcodes=6, contig_length=4000,
                              duplicate_rate=0.3)
    expected = _naive(bam, mode)
    whole, st_whole = build_fragments(bam, dedup=mode)
    assert rows(whole) == expected
    # tiny blocks and a flush after every block: groups must still close correctly
    monkeypatch.setattr(fr, "_BLOCK_BP", 32)
    monkeypatch.setattr(fr, "_BLOCK_BP_MIN", 8)
    monkeypatch.setattr(fr, "_BLOCK_RECORDS", 20)
    monkeypatch.setattr(fr, "_FLUSH_PAIRS", 1)
    small, st_small = build_fragments(bam, dedup=mode)
    assert rows(small) == expected and st_small == st_whole
    assert st_whole["kept"] == small["count"].sum()


# ----------------------------------------------------------------------------------------------
# tie split and combine
# ----------------------------------------------------------------------------------------------

def _ties(n=10_000, seed=1):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"chrom": rng.choice(["chr1", "chr2", "chr10", "chrX"], n),
                         "start": rng.integers(0, 10**6, n), "end": 0,
                         "barcode": rng.choice(["AAAC", "CCGT", "GGTA"], n), "count": rng.integers(1, 6, n)}
                        ).assign(end=lambda d: d["start"] + 200).drop_duplicates(FRAGMENT_COLUMNS[:4])


@pytest.mark.parametrize("mode", ["binomial_reads", "per_fragment"])
def test_split_ties(tmp_path, mode):
    ties = _ties()
    ref, alt = split_ties(ties, seed=7, mode=mode)
    assert (ref["count"] > 0).all() and (alt["count"] > 0).all()
    both = ref.merge(alt, on=FRAGMENT_COLUMNS[:4], how="outer", suffixes=("_ref", "_alt")).fillna(0)
    joined = both.merge(ties, on=FRAGMENT_COLUMNS[:4], validate="one_to_one")
    assert len(joined) == len(ties)
    assert (joined["count_ref"] + joined["count_alt"] == joined["count"]).all()   # conserved per record
    if mode == "per_fragment":
        assert ((joined["count_ref"] == 0) | (joined["count_alt"] == 0)).all()
    share = ref["count"].sum() / ties["count"].sum()
    assert abs(share - 0.5) < 0.02
    # byte-identical reruns; row order does not matter; other contigs do not matter
    a = write_fragments(ref, tmp_path / "a.tsv.gz").read_bytes()
    ref2, alt2 = split_ties(ties.sample(frac=1, random_state=3), seed=7, mode=mode)
    assert write_fragments(ref2, tmp_path / "b.tsv.gz").read_bytes() == a
    pd.testing.assert_frame_equal(alt2, alt)
    chr2_only, _ = split_ties(ties[ties["chrom"] == "chr2"], seed=7, mode=mode)
    pd.testing.assert_frame_equal(chr2_only, ref[ref["chrom"] == "chr2"].reset_index(drop=True))
    assert not split_ties(ties, seed=8, mode=mode)[0].equals(ref)
    assert ref["chrom"].unique().tolist() == ["chr1", "chr2", "chr10", "chrX"]   # natural order


def test_combine_rows_and_sums():
    a = pd.DataFrame([("chr1", 10, 20, "A", 2), ("chr1", 10, 30, "A", 1), ("chr2", 5, 50, "B", 1)],
                     columns=FRAGMENT_COLUMNS)
    b = pd.DataFrame([("chr1", 10, 20, "A", 1), ("chr1", 10, 20, "B", 4)], columns=FRAGMENT_COLUMNS)
    out = combine_fragments(a, b)
    assert len(out) == len(a) + len(b) - 1
    assert rows(out) == [("chr1", 10, 20, "A", 3), ("chr1", 10, 20, "B", 4), ("chr1", 10, 30, "A", 1),
                         ("chr2", 5, 50, "B", 1)]
    assert rows(combine_fragments(a, b.iloc[:0])) == rows(fr.sort_fragments(a))


# ----------------------------------------------------------------------------------------------
# files
# ----------------------------------------------------------------------------------------------

def test_write_read_round_trip_and_tabix(tmp_path):
    table = pd.DataFrame([("chr2", 5, 50, "B", 1), ("chr1", 300, 500, "A", 2), ("chr1", 10, 20, "A", 1)],
                         columns=FRAGMENT_COLUMNS)
    path = write_fragments(table, tmp_path / "out" / "fragments.tsv.gz",
                           comments=["id=test", "# pipeline=deepallele"])
    assert sorted(p.name for p in path.parent.iterdir()) == ["fragments.tsv.gz", "fragments.tsv.gz.tbi"]
    back = read_fragments(path)
    pd.testing.assert_frame_equal(back, fr.sort_fragments(table))
    assert list(back.dtypes.astype(str)) == ["str", "int64", "int64", "str", "int64"]
    with gzip.open(path, "rt") as fh:
        assert fh.readline() == "# id=test\n" and fh.readline() == "# pipeline=deepallele\n"
    tbx = pysam.TabixFile(str(path))
    assert list(tbx.fetch("chr1", 100, 400)) == ["chr1\t300\t500\tA\t2"]
    assert list(tbx.fetch("chr1", 20, 300)) == []          # half-open: [10,20) and [300,500) miss
    assert tbx.contigs == ["chr1", "chr2"]


def test_read_cellranger_header_and_malformed_lines(tmp_path):
    good = tmp_path / "cr.tsv.gz"
    with gzip.open(good, "wt") as fh:
        fh.write("# id=lib1\n# primary_contig=chr1\nchr1\t10\t60\tAAAC-1\t3\nchr1\t15\t90\tCCGT-1\t1\n")
    assert rows(read_fragments(good)) == [("chr1", 10, 60, "AAAC-1", 3), ("chr1", 15, 90, "CCGT-1", 1)]
    cases = {"six.tsv": "chr1\t1\t9\tA\t1\nchr1\t2\t9\tA\t1\textra\n",
             "text.tsv": "# h\nchr1\t1\t9\tA\t1\nchr1\tx\t9\tA\t1\n",
             "short.tsv": "chr1\t1\t9\tA\n",
             "order.tsv": "chr1\t1\t9\tA\t1\nchr1\t9\t9\tA\t1\n"}
    for name, text in cases.items():
        (tmp_path / name).write_text(text)
        with pytest.raises(ValueError, match=rf"{name}: malformed fragment file: line \d"):
            read_fragments(tmp_path / name)
    (tmp_path / "empty.tsv").write_text("# only a header\n")
    assert len(read_fragments(tmp_path / "empty.tsv")) == 0


def test_write_is_atomic(tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(fr.pysam, "tabix_index", boom)
    table = pd.DataFrame([("chr1", 10, 20, "A", 1)], columns=FRAGMENT_COLUMNS)
    with pytest.raises(RuntimeError):
        write_fragments(table, tmp_path / "f.tsv.gz")
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------------------------
# the allele route
# ----------------------------------------------------------------------------------------------

def test_allele_fragments_paper_route_and_hash(tmp_path):
    # ref.bam: po1 X (cell A) x2; tie T (cell A) x1; po1 fragment U in cell A at T2's coordinates
    # alt.bam: po2 Y (cell B) x1; tie T (cell A) x2; tie T2 (cell B) x1
    ref = write_bam(tmp_path / "s.ref.bam", pairs(
        pair("x1", 1000, 1200, bc="A", po=1), pair("x2", 1000, 1200, bc="A", po=1),
        pair("t1", 1500, 1700, bc="A", po=3), pair("u1", 2000, 2200, bc="A", po=1)))
    alt = write_bam(tmp_path / "s.alt.bam", pairs(
        pair("y1", 1100, 1300, bc="B", po=2), pair("t2", 1500, 1700, bc="A", po=3),
        pair("t3", 1500, 1700, bc="A", po=3), pair("t4", 2000, 2200, bc="B", po=3)))
    out = allele_fragments(ref, alt, seed=5)
    # the ties of both BAMs pooled, collapsed on their own
    assert rows(out["ties"]) == [("chr1", 1504, 1695, "A", 3), ("chr1", 2004, 2195, "B", 1)]
    st = out["stats"]
    assert {"po1", "po2", "ties", "scan", "rows", "tie_split", "seed"} <= set(st)
    assert (st["po1"]["kept"], st["po2"]["kept"], st["ties"]["kept"]) == (3, 1, 4)
    assert st["scan"]["skipped_po"] == 0 and st["scan"]["records"] == 16
    ref_t, alt_t = out["ref"], out["alt"]
    assert ref_t["count"].sum() + alt_t["count"].sum() == 3 + 1 + 4
    assert ("chr1", 1004, 1195, "A", 2) in rows(ref_t) and ("chr1", 1104, 1295, "B", 1) in rows(alt_t)
    # U (po1, cell A) and T2 (tie, cell B) share coordinates but are collapsed in separate classes
    assert ("chr1", 2004, 2195, "A", 1) in rows(ref_t)
    half_r, half_a = split_ties(out["ties"], 5)
    assert rows(ref_t) == rows(combine_fragments(build_fragments(ref, po={1})[0], half_r))
    assert rows(alt_t) == rows(combine_fragments(build_fragments(alt, po={2})[0], half_a))
    # per_fragment: each tie record wholly on one side
    pf = allele_fragments(ref, alt, seed=5, tie_split="per_fragment")
    assert pf["stats"]["rows"]["ref_half"] + pf["stats"]["rows"]["alt_half"] == 2
    # hash: each BAM as a whole; U and T2 now meet in one collapse only within ref.bam / alt.bam
    h = allele_fragments(ref, alt, seed=5, tie_split="hash")
    assert rows(h["ties"]) == rows(out["ties"])   # built in the same pass, for reporting
    assert h["stats"]["scan"]["records"] == 16 and h["stats"]["ties"]["kept"] == 4
    assert rows(h["ref"]) == [("chr1", 1004, 1195, "A", 2), ("chr1", 1504, 1695, "A", 1),
                              ("chr1", 2004, 2195, "A", 1)]
    assert rows(h["alt"]) == [("chr1", 1104, 1295, "B", 1), ("chr1", 1504, 1695, "A", 2),
                              ("chr1", 2004, 2195, "B", 1)]
    with pytest.raises(ValueError, match="po"):
        allele_fragments(ref, alt, seed=5, po={1})


def test_allele_fragments_pools_samples(tmp_path):
    bams = {}
    for sample, bc in (("s1", "A-1"), ("s2", "A-2")):
        bams[sample] = (
            write_bam(tmp_path / f"{sample}.ref.bam", pairs(pair(f"{sample}x", 1000, 1200, bc=bc, po=1),
                                                            pair(f"{sample}t", 1500, 1700, bc=bc, po=3))),
            write_bam(tmp_path / f"{sample}.alt.bam", pairs(pair(f"{sample}y", 1100, 1300, bc=bc, po=2),
                                                            pair(f"{sample}u", 1500, 1700, bc=bc, po=3))))
    refs, alts = [bams[s][0] for s in bams], [bams[s][1] for s in bams]
    out = allele_fragments(refs, alts, seed=1, dedup="within_barcode")
    assert rows(out["ties"]) == rows(build_fragments(refs + alts, po={3}, dedup="within_barcode")[0])
    assert rows(out["ties"]) == [("chr1", 1504, 1695, "A-1", 2), ("chr1", 1504, 1695, "A-2", 2)]
    assert out["stats"]["rows"]["ref_pairs"] + out["stats"]["rows"]["alt_pairs"] == 8
    assert out["stats"]["po1"]["kept"] == out["stats"]["po2"]["kept"] == 2


def test_benchmark_small(tmp_path):
    res = benchmark_fragments(n_pairs=2000, seed=1, workdir=tmp_path)
    assert res["read_pairs"] == 2000 and res["pairs_per_second"] > 0 and 0 < res["fragments"] <= 2000
    assert set(res) >= {"read_pairs", "seconds", "pairs_per_second", "hours_for_200M"}


def _table(*records):
    return pd.DataFrame(records, columns=FRAGMENT_COLUMNS)


def test_collapse_fragments_matches_the_builder_on_a_table(tmp_path):
    # the same fragments as test_start_merge_runs_before_end_merge (X x2, Y x3, Z x2 in cell A),
    # cell B with Y's coordinates x1, and a second contig that nothing touches
    table = _table(("chr1", 1004, 1195, "A", 2), ("chr1", 1004, 1295, "A", 3), ("chr1", 1104, 1295, "A", 2),
                   ("chr1", 1004, 1295, "B", 1), ("chr2", 10, 60, "B", 1))
    got = fr.collapse_fragments(table)
    # Y takes X (start group, 5), then Z (end group, 7); B's identical fragment goes to A (8)
    assert rows(got) == [("chr1", 1004, 1295, "A", 8), ("chr2", 10, 60, "B", 1)]
    assert rows(fr.collapse_fragments(table, "sinto_within")) == [
        ("chr1", 1004, 1295, "A", 7), ("chr1", 1004, 1295, "B", 1), ("chr2", 10, 60, "B", 1)]
    # within_barcode: only identical rows are summed
    doubled = pd.concat([table, table.iloc[[0]]], ignore_index=True)
    assert rows(fr.collapse_fragments(doubled, "within_barcode"))[0] == ("chr1", 1004, 1195, "A", 4)
    with pytest.raises(ValueError, match="dedup"):
        fr.collapse_fragments(table, "none")
