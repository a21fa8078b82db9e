"""Lapels-style lift-over of strain alignments to reference coordinates."""
from __future__ import annotations

import gzip
import shutil
import subprocess

import numpy as np
import pysam
import pytest

from deepallele.genome.coordmap import CoordinateMap
from deepallele.genome.pseudogenome import build_pseudogenome
from deepallele.reads.liftover import AlignmentLifter, cigar_from_string, edit_tags, lift_bam

HAVE_PICARD = shutil.which("PicardCommandLine") is not None
HAVE_BOWTIE2 = shutil.which("bowtie2") is not None and shutil.which("bowtie2-build") is not None

# c1 (200 bp): SNP at ref 10; GGGG inserted after ref 59 (strain 60..63); ref 120..122 deleted.
#   blocks: ref [0,60) -> strain [0,60); ref [60,120) -> strain [64,124); ref [123,200) -> strain [124,201)
# c2 (100 bp): 40 bases inserted after ref 49 (strain 50..89), longer than a read.
RNG = np.random.default_rng(7)
REF = {"c1": "".join(RNG.choice(list("ACGT"), size=200)), "c2": "".join(RNG.choice(list("ACGT"), size=100))}
INSERT_C2 = "".join(RNG.choice(list("ACGT"), size=40))


def _snp_alt(base):
    return {"A": "C", "C": "G", "G": "T", "T": "A"}[base]


VARIANTS = [("c1", 11, REF["c1"][10], _snp_alt(REF["c1"][10])),
            ("c1", 60, REF["c1"][59], REF["c1"][59] + "GGGG"),
            ("c1", 120, REF["c1"][119:123], REF["c1"][119]),
            ("c2", 50, REF["c2"][49], REF["c2"][49] + INSERT_C2)]


def write_fasta(path, sequences):
    with open(path, "w") as handle:
        for name, seq in sequences.items():
            handle.write(f">{name}\n")
            for i in range(0, len(seq), 60):
                handle.write(seq[i:i + 60] + "\n")
    pysam.faidx(str(path))
    return path


@pytest.fixture(scope="module")
def genomes(tmp_path_factory):
    """Reference + strain FASTA, chain and map, built by the real pseudogenome code."""
    tmp = tmp_path_factory.mktemp("genomes")
    ref_fa = write_fasta(tmp / "ref.fa", REF)
    vcf = tmp / "strain.vcf"
    lines = ["##fileformat=VCFv4.2"] + [f"##contig=<ID={c},length={len(s)}>" for c, s in REF.items()]
    lines.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO")
    lines += [f"{c}\t{p}\t.\t{r}\t{a}\t.\tPASS\t." for c, p, r, a in VARIANTS]
    vcf.write_text("\n".join(lines) + "\n")
    build_pseudogenome(ref_fa, vcf, tmp / "strain.fa", tmp / "strain.chain")
    with pysam.FastaFile(str(tmp / "strain.fa")) as fasta:
        strain = {name: fasta.fetch(name) for name in fasta.references}
    cmap = CoordinateMap.load(tmp / "strain.chain")
    assert cmap.segments("c1").tolist() == [[0, 0, 60], [60, 64, 60], [123, 124, 77]]
    return {"dir": tmp, "ref_fa": ref_fa, "strain_fa": tmp / "strain.fa", "chain": tmp / "strain.chain",
            "map": cmap, "strain": strain}


@pytest.fixture(scope="module")
def lifter(genomes):
    return AlignmentLifter(genomes["map"])


def query_length(cigar):
    return sum(n for op, n in cigar_from_string(cigar) if op in (0, 1, 4, 7, 8))


@pytest.mark.parametrize("strain_start, cigar, ref_start, lifted", [
    (5, "10M", 5, "10M"),                         # inside one block: only shifted
    (130, "20M", 129, "20M"),                     # after both indels
    (55, "15M", 55, "5M4I6M"),                    # spans the insertion -> I
    (115, "15M", 111, "9M3D6M"),                  # spans the deletion -> D
    (62, "10M", 60, "2S8M"),                      # starts inside the insertion -> soft clip
    (52, "10M", 52, "8M2S"),                      # ends inside the insertion -> soft clip
    (57, "3S10M", 57, "3S3M4I3M"),                # soft clip kept
    (61, "2S6M", 60, "5S3M"),                     # clip + strain-only bases merge into one S
    (55, "5H10M", 55, "5H5M4I1M"),                # hard clip stays outermost
    (55, "2H3S10M4S", 55, "2H3S5M4I1M4S"),
    (58, "2M3D5M", 58, "2M1I4M"),                 # read D over strain-only bases vanishes
    (120, "4M2I4M", 116, "4M2I3D4M"),             # read I next to the strain deletion
    (122, "2M1D3M", 118, "2M4D3M"),               # read D merges with the strain deletion
    (110, "3M20N3M", 106, "3M23N3M"),             # deletion inside a spliced gap stays N
    (2, "5=1X4=", 2, "10M"),                      # =/X become M
    (120, "4M", 116, "4M"),                       # ends right before the deletion
    (124, "4M", 123, "4M"),                       # starts right after it
])
def test_lift_cigar(lifter, strain_start, cigar, ref_start, lifted):
    result = lifter.lift("c1", strain_start, cigar_from_string(cigar))
    assert (result.reference_start, result.cigarstring) == (ref_start, lifted)
    assert query_length(lifted) == query_length(cigar)
    assert result.cigar_changed == (lifted != cigar)


def test_read_inside_insertion_has_no_lift(lifter):
    assert lifter.lift("c1", 60, cigar_from_string("4M")) is None
    assert lifter.lift("c2", 55, cigar_from_string("30M")) is None
    assert lifter.lift("c2", 55, cigar_from_string("5S30M")) is None


def test_lifted_bases_match_reference(genomes, lifter):
    """Every M base of a lifted exact strain read reads the reference base (SNP aside)."""
    strain, ref = genomes["strain"]["c1"], REF["c1"]
    for start in range(0, len(strain) - 30, 3):
        result = lifter.lift("c1", start, [(0, 30)])
        if result is None:
            continue
        read, q, t = strain[start:start + 30], 0, result.reference_start
        for op, n in result.cigartuples:
            if op == 0:
                for k in range(n):
                    assert read[q + k] == ref[t + k] or t + k == 10
                q, t = q + n, t + n
            elif op in (1, 4):
                q += n
            elif op == 2:
                t += n


def test_edit_tags():
    assert edit_tags("ACGTACGT", [(0, 8)], "ACGTACGT") == (0, "8")
    assert edit_tags("ACGAACGT", [(0, 8)], "ACGTACGT") == (1, "3T4")
    assert edit_tags("NNACGTAC", [(4, 2), (0, 3), (1, 1), (0, 2)], "ACGAC") == (1, "5")
    assert edit_tags("ACGTT", [(0, 2), (2, 2), (0, 3)], "ACTTGTT") == (2, "2^TT3")
    assert edit_tags("ACNT", [(0, 4)], "ACNT") == (1, "2N1")        # N always mismatches
    assert edit_tags("AGGT", [(0, 1), (2, 1), (0, 3)], "ACGGT") == (1, "1^C3")
    assert edit_tags("TAGG", [(0, 1), (2, 1), (0, 3)], "ACAGG")[1] == "0A0^C3"


# ----------------------------------------------------------------------------- BAM level
def strain_header(genomes):
    sizes = genomes["map"].strain_sizes
    return pysam.AlignmentHeader.from_dict({
        "HD": {"VN": "1.6", "SO": "unsorted"},
        "SQ": [{"SN": name, "LN": length} for name, length in sizes.items()],
        "RG": [{"ID": "rg1", "SM": "s1", "PL": "ILLUMINA"}],
        "PG": [{"ID": "bowtie2", "PN": "bowtie2"}]})


def make_read(header, name, flag, chrom, pos, cigar, seq, mate=None, tlen=0, tags=()):
    read = pysam.AlignedSegment(header)
    read.query_name = name
    read.flag = flag
    read.reference_id = header.get_tid(chrom) if chrom else -1
    read.reference_start = pos
    if cigar:
        read.cigarstring = cigar
        read.mapping_quality = 42
    read.query_sequence = seq
    read.query_qualities = pysam.qualitystring_to_array("I" * len(seq))
    if mate is not None:
        read.next_reference_id = header.get_tid(mate[0]) if mate[0] else -1
        read.next_reference_start = mate[1]
    read.template_length = tlen
    read.set_tag("RG", "rg1")
    for tag, value in tags:
        read.set_tag(tag, value)
    return read


def pair(header, strain, name, chrom, r1, r2, r1_tags=(), r2_tags=()):
    """A FR pair: r1 forward, r2 reverse; r = (strain_pos, cigar), sequence from the strain."""
    def seq_for(pos, cigar):
        ops = cigar_from_string(cigar)
        lead = ops[0][1] if ops[0][0] == 4 else 0
        aligned = sum(n for op, n in ops if op in (0, 1))
        tail = ops[-1][1] if ops[-1][0] == 4 else 0
        return "T" * lead + strain[chrom][pos:pos + aligned] + "T" * tail
    (p1, c1), (p2, c2) = r1, r2
    end2 = p2 + sum(n for op, n in cigar_from_string(c2) if op in (0, 2))
    tlen = end2 - p1
    reads = [make_read(header, name, 99, chrom, p1, c1, seq_for(p1, c1), (chrom, p2), tlen,
                       [("NM", 0), ("AS", 0), *r1_tags]),
             make_read(header, name, 147, chrom, p2, c2, seq_for(p2, c2), (chrom, p1), -tlen,
                       [("NM", 0), ("AS", 0), *r2_tags])]
    return reads


@pytest.fixture(scope="module")
def lifted_pairs(genomes, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lift")
    header = strain_header(genomes)
    strain = genomes["strain"]
    reads = []
    reads += pair(header, strain, "span_ins", "c1", (40, "30M"), (80, "30M"))
    reads += pair(header, strain, "span_del", "c1", (100, "30M"), (150, "30M"))
    reads += pair(header, strain, "start_in_ins", "c1", (62, "30M"), (120, "30M"))
    reads += pair(header, strain, "clipped", "c1", (10, "5S25M"), (50, "28M2S"),
                  r1_tags=[("MC", "28M2S"), ("MQ", 42)], r2_tags=[("MC", "5S25M"), ("MQ", 42)])
    reads += pair(header, strain, "lost_in_ins", "c2", (55, "30M"), (95, "30M"))
    unmapped = [make_read(header, "both_unmapped", 77, None, -1, None, "ACGT" * 5, (None, -1)),
                make_read(header, "both_unmapped", 141, None, -1, None, "TTGCA" * 4, (None, -1))]
    # unmapped read placed (in strain coordinates) at its mapped mate
    placed = [make_read(header, "mate_unmapped", 73, "c1", 130, "30M", strain["c1"][130:160], ("c1", 130), 0,
                        [("NM", 0), ("AS", 0)]),
              make_read(header, "mate_unmapped", 133, "c1", 130, None, "A" * 30, ("c1", 130))]
    single = [make_read(header, "single_end", 0, "c1", 56, "20M", strain["c1"][56:76], tags=[("NM", 0)])]
    reads += unmapped + placed + single
    rng = np.random.default_rng(1)
    order = rng.permutation(len(reads))   # any input order
    in_bam = tmp / "strain.bam"
    with pysam.AlignmentFile(str(in_bam), "wb", header=header) as out:
        for k in order:
            out.write(reads[k])
    out_bam = tmp / "lifted.bam"
    summary = lift_bam(in_bam, out_bam, genomes["chain"], genomes["ref_fa"])
    with pysam.AlignmentFile(str(out_bam)) as bam:
        records = {}
        for read in bam:
            records[(read.query_name, 1 if read.is_read1 or not read.is_paired else 2)] = read
        header_out = bam.header.to_dict()
    return {"summary": summary, "records": records, "header": header_out, "path": out_bam, "tmp": tmp}


def test_lift_bam_positions_and_cigars(lifted_pairs):
    r = lifted_pairs["records"]
    expected = {
        ("span_ins", 1): (40, "20M4I6M"), ("span_ins", 2): (76, "30M"),
        ("span_del", 1): (96, "24M3D6M"), ("span_del", 2): (149, "30M"),
        ("start_in_ins", 1): (60, "2S28M"), ("start_in_ins", 2): (116, "4M3D26M"),
        ("clipped", 1): (10, "5S25M"), ("clipped", 2): (50, "10M4I14M2S"),
        ("lost_in_ins", 2): (55, "30M"), ("mate_unmapped", 1): (129, "30M"),
        ("single_end", 1): (56, "4M4I12M"),
    }
    for key, (pos, cigar) in expected.items():
        assert (r[key].reference_start, r[key].cigarstring) == (pos, cigar), key


def test_lift_bam_mates_and_tlen(lifted_pairs):
    r = lifted_pairs["records"]
    for name, tlen in (("span_ins", 106 - 40), ("span_del", 179 - 96), ("start_in_ins", 149 - 60),
                       ("clipped", 74 - 10)):
        first, second = r[(name, 1)], r[(name, 2)]
        assert first.template_length == tlen and second.template_length == -tlen, name
        assert first.next_reference_start == second.reference_start
        assert second.next_reference_start == first.reference_start
        assert first.mate_is_reverse and not second.mate_is_reverse
        assert first.is_proper_pair and second.is_proper_pair
    # MC follows the lifted mate CIGAR, MQ kept
    assert r[("clipped", 1)].get_tag("MC") == "10M4I14M2S"
    assert r[("clipped", 2)].get_tag("MC") == "5S25M"
    assert r[("clipped", 1)].get_tag("MQ") == 42


def test_read_inside_long_insertion_becomes_unmapped_at_mate(lifted_pairs):
    r = lifted_pairs["records"]
    lost, mate = r[("lost_in_ins", 1)], r[("lost_in_ins", 2)]
    assert lost.is_unmapped and lost.cigarstring is None and lost.mapping_quality == 0
    assert (lost.reference_name, lost.reference_start) == ("c2", 55)
    assert lost.get_tag("OC") == "30M" and lost.get_tag("OP") == 56
    assert not lost.is_proper_pair and not mate.is_proper_pair
    assert mate.mate_is_unmapped and mate.template_length == 0 and lost.template_length == 0
    assert mate.next_reference_start == 55 and lost.next_reference_start == 55
    assert lifted_pairs["summary"]["became_unmapped"] == 1


def test_unmapped_reads_pass_through(lifted_pairs):
    r = lifted_pairs["records"]
    first, second = r[("both_unmapped", 1)], r[("both_unmapped", 2)]
    assert first.is_unmapped and second.is_unmapped
    assert first.reference_id == -1 and first.reference_start == -1
    assert first.query_sequence == "ACGT" * 5
    placed, mapped = r[("mate_unmapped", 2)], r[("mate_unmapped", 1)]
    assert placed.is_unmapped and placed.reference_start == mapped.reference_start == 129
    assert mapped.next_reference_start == 129 and mapped.mate_is_unmapped


def test_original_values_and_edit_tags(lifted_pairs):
    r = lifted_pairs["records"]
    read = r[("span_del", 1)]
    assert read.get_tag("OC") == "30M" and read.get_tag("OP") == 101 and read.get_tag("OM") == 0
    assert read.get_tag("NM") == 3 and read.get_tag("MD") == f"24^{REF['c1'][120:123]}6"
    assert r[("span_ins", 1)].get_tag("NM") == 4
    # the strain SNP at ref 10 is now a mismatch against the reference
    clipped = r[("clipped", 1)]
    assert clipped.get_tag("NM") == 1 and clipped.get_tag("MD") == f"0{REF['c1'][10]}24"
    assert r[("span_ins", 1)].get_tag("AS") == 0   # aligner tags untouched


def test_output_header_is_the_reference(lifted_pairs):
    header = lifted_pairs["header"]
    assert header["SQ"] == [{"SN": "c1", "LN": 200}, {"SN": "c2", "LN": 100}]
    assert header["HD"]["SO"] == "coordinate"
    assert header["RG"] == [{"ID": "rg1", "SM": "s1", "PL": "ILLUMINA"}]
    assert [pg["ID"] for pg in header["PG"]][:2] == ["bowtie2", "deepallele.liftover"]
    assert (lifted_pairs["path"].parent / "lifted.bam.bai").exists()


def picard_errors(bam, reference=None):
    command = ["PicardCommandLine", "ValidateSamFile", "-I", str(bam), "-MODE", "SUMMARY"]
    if reference is not None:
        command += ["-R", str(reference)]
    result = subprocess.run(command, capture_output=True, text=True)
    report = result.stdout + result.stderr
    return [line for line in report.splitlines() if line.startswith("ERROR")], report


def ensure_dict(fasta):
    dict_path = fasta.with_suffix(".dict")
    if not dict_path.exists():
        pysam.dict("-o", str(dict_path), str(fasta), catch_stdout=False)
    return fasta


@pytest.mark.skipif(not HAVE_PICARD, reason="PicardCommandLine not installed")
def test_lifted_hand_made_bam_validates(lifted_pairs, genomes):
    pysam.quickcheck(str(lifted_pairs["path"]))
    errors, report = picard_errors(lifted_pairs["path"], ensure_dict(genomes["ref_fa"]))
    assert errors == [], report


def test_bam_on_another_genome_is_rejected(genomes, tmp_path):
    header = pysam.AlignmentHeader.from_dict({"SQ": [{"SN": "c1", "LN": 200}, {"SN": "c2", "LN": 100}]})
    with pysam.AlignmentFile(str(tmp_path / "ref_aligned.bam"), "wb", header=header):
        pass
    with pytest.raises(ValueError, match="length 200 but the strain genome"):
        lift_bam(tmp_path / "ref_aligned.bam", tmp_path / "out.bam", genomes["map"])


def test_grouped_output_and_no_fasta(genomes, tmp_path):
    """Without a FASTA, NM/MD are dropped; sort_order='grouped' keeps mates together."""
    header = strain_header(genomes)
    reads = pair(header, genomes["strain"], "p", "c1", (100, "30M"), (150, "30M"))
    with pysam.AlignmentFile(str(tmp_path / "in.bam"), "wb", header=header) as out:
        for read in reads:
            out.write(read)
    fai = genomes["ref_fa"].with_suffix(".fa.fai")
    lift_bam(tmp_path / "in.bam", tmp_path / "out.bam", genomes["map"], fai, sort_order="grouped")
    with pysam.AlignmentFile(str(tmp_path / "out.bam")) as bam:
        records = list(bam)
    assert [r.query_name for r in records] == ["p", "p"]
    first = next(r for r in records if r.is_read1)
    assert not first.has_tag("NM") and not first.has_tag("MD") and first.get_tag("OM") == 0
    assert first.cigarstring == "24M3D6M"


def test_orphan_mate_lifted_from_mc(genomes, tmp_path):
    header = strain_header(genomes)
    first, second = pair(header, genomes["strain"], "o", "c1", (40, "30M"), (110, "30M"),
                         r1_tags=[("MC", "30M")])
    with pysam.AlignmentFile(str(tmp_path / "in.bam"), "wb", header=header) as out:
        out.write(first)   # its mate is missing
    summary = lift_bam(tmp_path / "in.bam", tmp_path / "out.bam", genomes["map"])
    with pysam.AlignmentFile(str(tmp_path / "out.bam")) as bam:
        (read,) = list(bam)
    # mate 110..139 on the strain -> ref 106..119 + 3D + 123..138
    assert read.next_reference_start == 106 and read.get_tag("MC") == "14M3D16M"
    assert read.template_length == 139 - 40
    assert summary["mate_missing"] == 1


# ----------------------------------------------------------------------------- integration
def random_strain_setup(tmp, rng, length=20_000):
    seq = "".join(rng.choice(list("ACGT"), size=length))
    rows, pos = [], 100
    while pos < length - 300:
        kind = rng.random()
        if kind < 0.6:
            rows.append((pos, seq[pos - 1], _snp_alt(seq[pos - 1])))
            pos += 1
        elif kind < 0.8:
            ins = "".join(rng.choice(list("ACGT"), size=int(rng.integers(1, 30))))
            rows.append((pos, seq[pos - 1], seq[pos - 1] + ins))
        else:
            n = int(rng.integers(1, 30))
            rows.append((pos, seq[pos - 1:pos + n], seq[pos - 1]))
            pos += n
        pos += int(rng.integers(20, 120))
    # one insertion longer than a read: reads inside it cannot be placed on the reference
    pos = length - 200
    rows.append((pos, seq[pos - 1], seq[pos - 1] + "".join(rng.choice(list("ACGT"), size=150))))
    ref_fa = write_fasta(tmp / "ref.fa", {"chrS": seq})
    header = pysam.VariantHeader()
    header.contigs.add("chrS", length=length)
    with pysam.VariantFile(str(tmp / "strain.vcf"), "w", header=header) as vcf:
        for p, r, a in rows:
            vcf.write(vcf.new_record(contig="chrS", start=p - 1, alleles=(r, a)))
    pysam.tabix_index(str(tmp / "strain.vcf"), preset="vcf", force=True)
    build_pseudogenome(ref_fa, tmp / "strain.vcf.gz", tmp / "strain.fa", tmp / "strain.chain")
    return ref_fa, tmp / "strain.fa", CoordinateMap.load(tmp / "strain.chain")


def reverse_complement(seq):
    return seq.translate(str.maketrans("ACGT", "TGCA"))[::-1]


def expected_span(cmap, chrom, start, end):
    """Reference span of the read bases on strain [start, end): first/last aligned base."""
    to_ref = cmap.strain_to_ref(chrom, np.arange(start, end))
    aligned = to_ref[to_ref >= 0]
    return (int(aligned[0]), int(aligned[-1]) + 1) if aligned.size else None


@pytest.mark.skipif(not HAVE_BOWTIE2, reason="bowtie2 not installed")
def test_bowtie2_reads_lift_to_their_true_positions(tmp_path):
    rng = np.random.default_rng(2024)
    ref_fa, strain_fa, cmap = random_strain_setup(tmp_path, rng)
    with pysam.FastaFile(str(strain_fa)) as fasta:
        strain = fasta.fetch("chrS")
    subprocess.run(["bowtie2-build", "-q", str(strain_fa), str(tmp_path / "strain_idx")], check=True)

    read_length, truth = 75, {}
    with gzip.open(tmp_path / "r1.fq.gz", "wt") as fq1, gzip.open(tmp_path / "r2.fq.gz", "wt") as fq2:
        for k in range(1200):
            size = int(rng.integers(150, 400))
            start = int(rng.integers(0, len(strain) - size))
            end = start + size
            r1, r2 = strain[start:start + read_length], reverse_complement(strain[end - read_length:end])
            if rng.random() < 0.3:  # a sequencing error now and then
                i = int(rng.integers(read_length))
                r1 = r1[:i] + _snp_alt(r1[i]) + r1[i + 1:]
            name = f"frag{k}"
            truth[name] = (expected_span(cmap, "chrS", start, start + read_length),
                           expected_span(cmap, "chrS", end - read_length, end))
            fq1.write(f"@{name}/1\n{r1}\n+\n{'I' * read_length}\n")
            fq2.write(f"@{name}/2\n{r2}\n+\n{'I' * read_length}\n")
    # a read group, or Picard reports MISSING_READ_GROUP (an error) for the aligner's output
    subprocess.run(["bowtie2", "-p", "2", "--no-unal", "-X", "600", "--rg-id", "s1", "--rg", "SM:s1",
                    "--rg", "PL:ILLUMINA", "-x", str(tmp_path / "strain_idx"),
                    "-1", str(tmp_path / "r1.fq.gz"), "-2", str(tmp_path / "r2.fq.gz"),
                    "-S", str(tmp_path / "strain.sam")], check=True, capture_output=True)

    out_bam = tmp_path / "lifted.bam"
    summary = lift_bam(tmp_path / "strain.sam", out_bam, tmp_path / "strain.chain", ref_fa, threads=2)
    assert summary["records"] >= 2 * 1190 and summary["cigar_changed"] > 100

    checked = unmapped = 0
    with pysam.AlignmentFile(str(out_bam)) as bam:
        assert [(s["SN"], s["LN"]) for s in bam.header.to_dict()["SQ"]] == [("chrS", 20_000)]
        mates = {}
        for read in bam:
            if read.is_secondary or read.is_supplementary:
                continue
            span = truth[read.query_name][0 if read.is_read1 else 1]
            if span is None:   # the read lies inside the 150-bp insertion
                assert read.is_unmapped
                unmapped += 1
                continue
            assert not read.is_unmapped
            assert (read.reference_start, read.reference_end) == span, read.query_name
            assert read.query_alignment_length == sum(n for op, n in read.cigartuples if op in (0, 1))
            mates.setdefault(read.query_name, []).append(read)
            checked += 1
    for name, reads in mates.items():
        if len(reads) == 2:
            first, second = reads
            outer = max(r.reference_end for r in reads) - min(r.reference_start for r in reads)
            assert abs(first.template_length) == outer and first.template_length == -second.template_length
            assert first.next_reference_start == second.reference_start
    # this seed places a few reads wholly inside the 150-bp insertion: they must come out unmapped
    assert checked > 2300 and unmapped > 0 and summary["became_unmapped"] == unmapped

    # NM/MD agree with samtools calmd on the reference
    calmd = pysam.calmd(str(out_bam), str(ref_fa)).splitlines()
    ours = {}
    with pysam.AlignmentFile(str(out_bam)) as bam:
        for read in bam:
            if not read.is_unmapped:
                ours[(read.query_name, read.flag)] = (read.get_tag("NM"), read.get_tag("MD"))
    for line in calmd:
        if line.startswith("@"):
            continue
        fields = line.split("\t")
        if int(fields[1]) & 4:
            continue
        tags = dict((t.split(":", 2)[0], t.split(":", 2)[2]) for t in fields[11:])
        assert ours[(fields[0], int(fields[1]))] == (int(tags["NM"]), tags["MD"]), fields[0]

    pysam.quickcheck(str(out_bam))
    if HAVE_PICARD:
        errors, report = picard_errors(out_bam, ensure_dict(ref_fa))
        assert errors == [], report
