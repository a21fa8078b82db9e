"""The README and docs/: a short README that links every docs page, and no dangling references.

* README.md has at most 200 lines and links every ``docs/*.md``;
* every relative link in README.md and ``docs/*.md`` resolves to a file or folder inside the
  repository, and an ``#anchor`` to a heading of its target (GitHub's heading slugs);
* every ``*.md`` file the pages name, and every repository path they name in backticks, exists.

The checker is tested on a toy tree with broken links, so that a pass means something.
"""
from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_README_LINES = 200

# top-level folders whose paths the docs name in backticks, checked to exist (results/ and
# resources/ are written by runs, so they are not checked)
CHECKED_ROOTS = ("src/", "rules/", "scripts/", "config/", "tests/", "docs/", "profiles/", "envs/", "report/",
                 ".ci/")
# files the docs show as the user's own, which the repository does not hold
EXAMPLE_PATHS = {"config/my_cross.yaml", "config/samples_treg_atac.tsv", "config/samples_treg_sc.tsv"}
# folders never searched for *.md files a page may name by its bare file name
SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "results", "resources", ".snakemake", "__pycache__",
             ".pytest_cache"}

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_INLINE_LINK = re.compile(r"!?\[(?P<text>[^\]]*)\]"                     # [text] or ![alt]
                          r"\(\s*<?(?P<target>[^)\s>]*)>?"                 # (target
                          r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)")  # optional "title")
_REF_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(?P<target>\S+?)>?(?:\s|$)", re.M)
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
_HTML_ID = re.compile(r"<a\s+[^>]*\b(?:name|id)\s*=\s*[\"']([^\"']+)[\"']", re.I)


def doc_pages(root: Path = ROOT) -> list[Path]:
    """README.md and every docs/*.md."""
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def blank_fenced_code(text: str) -> str:
    """The text with every fenced code block's lines emptied (line numbers kept)."""
    out, fence = [], None
    for line in text.split("\n"):
        m = _FENCE.match(line)
        if fence is None:
            if m:
                fence = m.group(1)
                out.append("")
                continue
            out.append(line)
        else:
            closing = m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence)
            if closing and not line.strip()[len(m.group(1)):].strip():   # a closing fence has no info string
                fence = None
            out.append("")
    return "\n".join(out)


def _paragraphs(text: str) -> list[str]:
    return re.split(r"(\n[ \t]*\n)", text)


def _strip_code_spans(text: str) -> str:
    """Code spans replaced by x's (same length), paragraph by paragraph (a span never crosses a
    blank line)."""
    return "".join(_CODE_SPAN.sub(lambda m: "x" * len(m.group(0)), p) for p in _paragraphs(text))


def code_spans(text: str) -> list[tuple[int, str]]:
    """(start offset, content) of every code span outside fenced code."""
    out, offset = [], 0
    for p in _paragraphs(blank_fenced_code(text)):
        out.extend((offset + m.start(), m.group(2)) for m in _CODE_SPAN.finditer(p))
        offset += len(p)
    return out


def heading_text(raw: str) -> str:
    """The rendered text of a heading's markdown: code spans literal, links and markup removed."""
    out = []
    for part in re.split(r"(`+.+?`+)", raw):
        if part.startswith("`") and part.endswith("`"):
            out.append(part.strip("`").strip())     # a code span's content is literal
            continue
        part = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", part)   # links and images: their text
        part = re.sub(r"<[^>]+>", "", part)                      # inline HTML
        part = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", part)        # backslash escapes
        part = re.sub(r"(\*\*|__|\*|(?<!\w)_)(.+?)\1(?!\w)", r"\2", part)  # emphasis
        out.append(part)
    return "".join(out).strip()


def slugify(text: str) -> str:
    """GitHub's heading anchor (github-slugger): lower case, punctuation but '-' and '_' dropped,
    spaces to hyphens."""
    kept = [ch for ch in text.lower()
            if ch in " -" or unicodedata.category(ch)[0] in "LNM" or unicodedata.category(ch) == "Pc"]
    return "".join(kept).replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Every anchor a page has: its headings' slugs (repeats get -1, -2, ...) and HTML ids."""
    lines = blank_fenced_code(text).split("\n")
    found, seen = set(), {}

    def add(slug: str):
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        found.add(slug if n == 0 else f"{slug}-{n}")

    for i, line in enumerate(lines):
        m = re.match(r"^ {0,3}(#{1,6})(?:\s+(.*?))?\s*$", line)
        if m:
            title = re.sub(r"(^|\s+)#+\s*$", "", m.group(2) or "")
            add(slugify(heading_text(title)))
            continue
        if (re.match(r"^ {0,3}(=+|-+)\s*$", line) and i > 0 and lines[i - 1].strip()
                and not re.match(r"^\s*([-*+>|]|\d+[.)]|#)", lines[i - 1])):
            add(slugify(heading_text(lines[i - 1].strip())))
    found.update(_HTML_ID.findall(text))
    return found


def links(text: str) -> list[tuple[int, str]]:
    """(line number, target) of every inline link, image and reference definition outside code."""
    body = _strip_code_spans(blank_fenced_code(text))
    out = []
    for m in _INLINE_LINK.finditer(body):
        out.append((body.count("\n", 0, m.start()) + 1, m.group("target")))
    for m in _REF_DEF.finditer(body):
        out.append((body.count("\n", 0, m.start()) + 1, m.group("target")))
    return out


def resolve(page: Path, target: str) -> tuple[Path, str]:
    """The file a relative link points at, and its anchor ('' if none)."""
    path, _, anchor = target.partition("#")
    path = unquote(path.split("?", 1)[0])
    return ((page.parent / path).resolve() if path else page.resolve()), unquote(anchor)


def broken_links(page: Path, root: Path = ROOT) -> list[str]:
    """Every relative link of ``page`` that does not resolve: a missing file, a path outside
    ``root``, or an anchor that no heading of its target has."""
    root = root.resolve()
    problems = []
    for line, target in links(page.read_text(encoding="utf-8")):
        if not target or _SCHEME.match(target) or target.startswith("//"):
            continue
        where = f"{page.relative_to(root)}:{line}: ({target})"
        dest, anchor = resolve(page, target)
        if dest != root and root not in dest.parents:
            problems.append(f"{where} leaves the repository")
        elif not dest.exists():
            problems.append(f"{where} {dest.relative_to(root)} does not exist")
        elif anchor and dest.is_file() and dest.suffix == ".md" \
                and anchor not in anchors(dest.read_text(encoding="utf-8")):
            problems.append(f"{where} no heading of {dest.relative_to(root)} has the anchor #{anchor}")
    return problems


def _markdown_names(root: Path) -> set[str]:
    names = set()
    for base, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        names.update(f for f in files if f.endswith(".md"))
    return names


def dangling_mentions(page: Path, root: Path = ROOT) -> list[str]:
    """Files a page names in its text (not as links) that the repository does not hold: any
    ``*.md`` name, and repository paths in backticks under :data:`CHECKED_ROOTS`."""
    root = root.resolve()
    text = re.sub(r"https?://\S+", "", page.read_text(encoding="utf-8"))
    problems = []
    md_names = None
    for m in re.finditer(r"(?<![\w/.-])((?:\.{1,2}/|[\w.-]+/)*[\w.-]+\.md)\b", text):
        name = m.group(1)
        line = text.count("\n", 0, m.start()) + 1
        candidates = [(page.parent / name).resolve(), (root / name).resolve()]
        if any((c == root or root in c.parents) and c.exists() for c in candidates):
            continue
        if "/" not in name:
            md_names = _markdown_names(root) if md_names is None else md_names
            if name in md_names:
                continue
        problems.append(f"{page.relative_to(root)}:{line}: names {name}, which is not in the repository")
    for start, span in code_spans(text):
        for token in re.split(r"[\s,;()]+", span):
            token = token.rstrip(":.").split("::")[0]
            if (not token.startswith(CHECKED_ROOTS) or token in EXAMPLE_PATHS
                    or re.search(r"[<>{}*\[\]$…]|\.\.\.", token)):
                continue
            if not (root / token).exists():
                line = text.count("\n", 0, start) + 1
                problems.append(f"{page.relative_to(root)}:{line}: names `{token}`, which is not in the repository")
    return problems


def unlinked_pages(root: Path = ROOT) -> list[str]:
    """The docs/*.md pages that README.md does not link."""
    readme = root / "README.md"
    linked = {resolve(readme, t)[0] for _, t in links(readme.read_text(encoding="utf-8"))
              if t and not _SCHEME.match(t)}
    return [p.relative_to(root).as_posix() for p in sorted((root / "docs").glob("*.md")) if p.resolve() not in linked]


# ---- the repository's pages ----------------------------------------------------------------

def test_readme_is_short():
    n = len((ROOT / "README.md").read_text(encoding="utf-8").splitlines())
    assert n <= MAX_README_LINES, (f"README.md has {n} lines (at most {MAX_README_LINES}): move details to a "
                                   f"docs/ page and link it")


def test_readme_links_every_docs_page():
    missing = unlinked_pages()
    assert not missing, f"docs pages not linked from README.md: {missing}"


@pytest.mark.parametrize("page", doc_pages(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_links_resolve(page):
    problems = broken_links(page)
    assert not problems, "broken links:\n" + "\n".join(problems)


@pytest.mark.parametrize("page", doc_pages(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_named_files_exist(page):
    problems = dangling_mentions(page)
    assert not problems, "references to files that do not exist:\n" + "\n".join(problems)


# ---- the checker itself --------------------------------------------------------------------

@pytest.mark.parametrize("heading, slug", [
    ("Validation run (`make validate`)", "validation-run-make-validate"),
    ("`datasets.<name>.scatac`", "datasetsnamescatac"),
    ("`target_datasets`", "target_datasets"),
    ("3. Effective genome size (`peaks.genome_size`, default `\"\"`)", "3-effective-genome-size-peaksgenome_size-default-"),
    ("Accessions → runs", "accessions--runs"),
    ("What the demo is — **in short**", "what-the-demo-is--in-short"),
    ("The [linked](x.md) *part*", "the-linked-part"),
    ("Ünïcode ✓ kept", "ünïcode--kept"),
])
def test_slugs_follow_github(heading, slug):
    assert slugify(heading_text(heading)) == slug


def test_anchors_count_repeats_and_skip_code():
    text = "# A\n\n## Same\n\n```\n# not a heading\n```\n\n## Same\n\nTitle\n=====\n\n<a name=\"here\"></a>\n"
    assert anchors(text) == {"a", "same", "same-1", "title", "here"}


def test_links_skip_code_and_find_every_form():
    text = ("[a](a.md) and `[b](b.md)` and ![img](pics/i.png \"title\")\n"
            "```\n[c](c.md)\n```\n"
            "[multi\nline](d.md#x)\n"
            "[ref]: e.md\n")
    assert links(text) == [(1, "a.md"), (1, "pics/i.png"), (5, "d.md#x"), (7, "e.md")]


def test_checker_finds_broken_links(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "good.md").write_text("# Good page\n\n## A section\n\nBack to [the README](../README.md).\n")
    (tmp_path / "docs" / "orphan.md").write_text("# Orphan\n")
    (tmp_path / "README.md").write_text(
        "# Toy\n\n"
        "[fine](docs/good.md) [fine anchor](docs/good.md#a-section) [self](#toy) [web](https://example.org/x.md)\n"
        "[missing file](docs/missing.md)\n"
        "[missing anchor](docs/good.md#no-such-section)\n"
        "[outside](../shared/docs/notes.md)\n"
        "[own anchor](#nowhere)\n")
    problems = broken_links(tmp_path / "README.md", tmp_path)
    assert len(problems) == 4, problems
    assert "README.md:4: (docs/missing.md) docs/missing.md does not exist" in problems
    assert any("#no-such-section" in p for p in problems)
    assert any("../shared/docs/notes.md" in p and "leaves the repository" in p for p in problems)
    assert any("#nowhere" in p for p in problems)
    assert broken_links(tmp_path / "docs" / "good.md", tmp_path) == []


def test_checker_finds_unlinked_pages_and_dangling_names(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "mod.py").write_text("")
    (tmp_path / "docs" / "a.md").write_text("# A\n")
    (tmp_path / "docs" / "b.md").write_text("# B\n")
    (tmp_path / "README.md").write_text(
        "[a](docs/a.md)\n\nSee `src/mod.py`, `src/gone.py`, `results/<dataset>/x.tsv`, b.md and "
        "`science-notes.md` (kept elsewhere).\n\n```\n`src/also-gone.py` in a fenced block\n```\n")
    assert unlinked_pages(tmp_path) == ["docs/b.md"]
    problems = dangling_mentions(tmp_path / "README.md", tmp_path)
    assert len(problems) == 2, problems
    assert any("`src/gone.py`" in p for p in problems)
    assert any("science-notes.md" in p for p in problems)
