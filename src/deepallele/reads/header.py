"""SAM header helpers shared by the read stages."""
from __future__ import annotations


def append_program(header: dict, base_id: str, program_name: str, command_line: str) -> dict:
    """Append an ``@PG`` line (unique ID, chained to the previous program) to a header dict.

    Parameters
    ----------
    header : dict
        ``AlignmentHeader.to_dict()`` output; modified in place and returned.
    base_id : str
        Wanted ``ID``; ``.2``, ``.3``, ... are appended while it is taken.
    program_name, command_line : str
        ``PN`` and ``CL`` fields.
    """
    programs = header.get("PG", [])
    ids = {pg.get("ID") for pg in programs}
    program_id, k = base_id, 1
    while program_id in ids:
        k += 1
        program_id = f"{base_id}.{k}"
    entry = {"ID": program_id, "PN": program_name, "CL": command_line}
    if programs:
        entry["PP"] = programs[-1]["ID"]
    header["PG"] = programs + [entry]
    return header
