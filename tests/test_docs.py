"""The documentation cannot rot silently: the site builds strictly (no broken link or anchor, no page
outside the nav), the README stays short and its links resolve, its scenario runs, and every number
the pages show from a run is what a fresh run gives.

MkDocs comes with the ``docs`` extra, which ``make test`` installs and requires (``REQUIRE_MKDOCS=1``):
there a missing MkDocs fails the build test instead of skipping it.
"""
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
README_MAX_LINES = 200
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


def generate_module():
    """docs/generate.py, imported as a module."""
    spec = importlib.util.spec_from_file_location("docs_generate", ROOT / "docs" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------- the site
def test_the_site_builds_strictly(tmp_path):
    try:
        import material  # noqa: F401
        import mkdocs  # noqa: F401
    except ImportError as exc:
        if os.environ.get("REQUIRE_MKDOCS") == "1":
            pytest.fail(f"REQUIRE_MKDOCS=1 but MkDocs cannot be imported ({exc}); "
                        "install the docs extra: pip install -e '.[docs]'")
        pytest.skip(f"MkDocs is not installed ({exc}); pip install -e '.[docs]'")
    site = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file",
                           str(ROOT / "mkdocs.yml"), "--site-dir", str(site)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    pages = sorted(p.stem for p in (ROOT / "docs").glob("*.md"))
    assert pages and all((site / f"{p}.html").exists() for p in pages)


# ---------------------------------------------------------------- the README
def test_the_readme_is_short():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines; move detail to a page of docs/"


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces turned into hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def mkdocs_slug(heading: str) -> str:
    """The anchor MkDocs (Python-Markdown's toc extension) gives a heading."""
    text = unicodedata.normalize("NFKD", re.sub(r"[`*_]", "", heading)).encode("ascii", "ignore").decode()
    return re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", text).strip().lower())


def anchors(page: Path) -> set[str]:
    """The anchors of a Markdown file's headings that GitHub and MkDocs agree on."""
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.DOTALL)
    headings = re.findall(r"^#{1,6} (.+)$", text, flags=re.MULTILINE)
    return {github_slug(h) for h in headings if github_slug(h) == mkdocs_slug(h)}


def test_the_slugs_agree_on_a_plain_heading():
    assert github_slug("The 15th Five-Year period's targets") == "the-15th-five-year-periods-targets"
    assert mkdocs_slug("The 15th Five-Year period's targets") == "the-15th-five-year-periods-targets"


def test_every_readme_link_resolves():
    bad = []
    for target in LINK.findall(README.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):          # a web address, not checked here
            continue
        path, _, anchor = target.partition("#")
        file = (ROOT / path) if path else README
        if not file.exists():
            bad.append(f"{target}: no file {path}")
        elif anchor and anchor not in anchors(file):
            bad.append(f"{target}: no heading with the anchor #{anchor} in {file.relative_to(ROOT)}")
    assert not bad, "\n".join(bad)


def test_the_readme_scenario_is_a_valid_scenario(tmp_path, capsys):
    """The README's example, saved beside a copy of the baseline as it says, loads and resolves."""
    from model.cli import main
    text = README.read_text(encoding="utf-8")
    example = re.search(r"## A scenario.*?```yaml\n(.*?)```", text, flags=re.DOTALL).group(1)
    shutil.copy(ROOT / "scenarios" / "baseline.yaml", tmp_path / "baseline.yaml")
    path = tmp_path / "my_case.yaml"
    path.write_text(example, encoding="utf-8")
    assert main(["--show", str(path)]) == 0, capsys.readouterr().err
    assert len(example.splitlines()) <= 12


# ---------------------------------------------------------------- the names the pages use
NOT_IN_A_CHECKOUT = {"model/shipped_scenarios"}      # the wheel's copy of scenarios/ (setup.py)


def test_every_file_the_docs_name_exists():
    """A page naming ``model/...`` names a file or folder of the repository (modules move; pages follow)."""
    bad = []
    for page in [README, *sorted((ROOT / "docs").glob("*.md"))]:
        for path in set(re.findall(r"\bmodel/[\w/.*-]*[\w*]", page.read_text(encoding="utf-8"))):
            if path not in NOT_IN_A_CHECKOUT and not (list(ROOT.glob(path)) if "*" in path else (ROOT / path).exists()):
                bad.append(f"{page.relative_to(ROOT)}: {path}")
    assert not bad, "\n".join(sorted(bad))


def layout_tree() -> set[str]:
    """The Python files the module-by-module tree of docs/development.md draws, as repository paths."""
    text = (ROOT / "docs" / "development.md").read_text(encoding="utf-8")
    block = text[text.index("Module by module:"):]
    block = block[block.index("```\n") + 4:]
    block = block[:block.index("```")]
    files, folders = set(), []
    for line in block.splitlines():
        if not line.strip():
            continue
        name, depth = line.split()[0], (len(line) - len(line.lstrip())) // 2
        if name.endswith("/"):
            folders = folders[:depth] + [name.rstrip("/")]
        elif name.endswith(".py"):
            files.add("/".join(folders[:depth] + [name]))
    return files


def test_the_layout_draws_every_module_and_only_those():
    drawn = layout_tree()
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "model").rglob("*.py") if p.name != "__init__.py"}
    assert {f for f in drawn if f.startswith("model/")} == modules
    assert all((ROOT / f).exists() for f in drawn)


# ---------------------------------------------------------------- the generated numbers
def test_every_generated_block_has_its_generator_and_every_generator_its_block():
    gen = generate_module()
    used = {name for page in gen.PAGES for name in gen.blocks_of(page.read_text(encoding="utf-8"))}
    assert used == set(gen.BLOCKS)


def test_a_block_is_rewritten_in_place():
    gen = generate_module()
    text = "before\n<!-- generated: x -->\nold\n<!-- end generated: x -->\nafter\n"
    assert gen.rewrite(text, {"x": "| a |\n|---|\n| 1 |"}) == (
        "before\n<!-- generated: x -->\n\n| a |\n|---|\n| 1 |\n\n<!-- end generated: x -->\nafter\n")


@pytest.mark.slow
def test_the_generated_numbers_are_those_of_a_fresh_run(capsys):
    """docs/generate.py --check: a fresh run of the shipped scenarios (tables only) and the variants
    gives every generated block as committed; otherwise run `make docs-generate` and commit the diff."""
    code = generate_module().main(["--check"])
    assert code == 0, capsys.readouterr().out
