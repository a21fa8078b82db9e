# Helpers of the datasets that start after the reads (rules/imports.smk): per-allele BAMs given
# in the sample sheet, a count table, the authors' HDF5. Functions only, no rules.


def given_allele_bam(dataset, sample, allele):
    """A per-allele BAM given in a dataset's sample sheet (column ref_bam or alt_bam)."""
    rows = units_of(dataset)
    rows = rows[rows["sample"] == sample]
    if rows.empty:
        raise WorkflowError(f"dataset '{dataset}' has no sample '{sample}'")
    if len(rows) > 1:
        raise WorkflowError(
            f"dataset '{dataset}': sample '{sample}' has {len(rows)} rows; give one BAM pair per sample"
        )
    return rows.iloc[0][f"{allele}_bam"]


def count_table_columns(dataset):
    """Column mapping of a dataset's count table (config datasets.<name>.count_table)."""
    spec = dict(config["datasets"][dataset]["count_table"])
    spec.pop("path")
    spec.pop("about", None)
    spec.pop("peaks", None)
    return spec


def import_count_table_input(wildcards):
    spec = config["datasets"][wildcards.dataset]["count_table"]
    files = {
        "table": daw.resource_path(config, spec["path"]),
        "fai": reference_fai(wildcards.dataset),
    }
    if spec.get("peaks"):
        files["peaks"] = daw.resource_path(config, spec["peaks"])
    return files
