"""Checks of the repository's layout and conventions (not of the optbook package).

These tests read files only; they need the standard library and PyYAML.
They make sure that

- committed notebooks carry no outputs and no execution counts;
- _toc.yml and chapters/ agree;
- notebooks import optbook as an installed package, without sys.path edits;
- _config.yml executes every notebook and fails on errors;
- the requirement files pin Jupyter Book 1.x, and torch is a test-only dependency;
- the README's two commands are the ones CI runs;
- citations use keys that exist in references.bib, and the only bibliography
  directive of the book is the one on references.md.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"

BUILD_COMMAND = "bash scripts/build.sh"
TEST_COMMAND = "bash scripts/test.sh"


# --------------------------------------------------------------------------- helpers
def repo_files(pattern: str) -> list[Path]:
    """Files matching ``pattern`` (relative to the root) that git would commit.

    In a git work tree these are the tracked files plus the untracked ones that
    are not ignored, so a notebook is checked before it is committed; outside
    git (an exported tarball) the pattern is globbed.
    """
    if shutil.which("git") and (ROOT / ".git").exists():
        out = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", pattern],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode == 0:
            names = sorted({name for name in out.stdout.split("\0") if name})
            return [ROOT / name for name in names if (ROOT / name).is_file()]
    return sorted(ROOT.glob(pattern))


def notebooks() -> list[Path]:
    return repo_files("chapters/*.ipynb")


def chapter_pages() -> list[Path]:
    return repo_files("chapters/*.md")


def read_notebook(path: Path) -> dict:
    with path.open(encoding="utf-8") as fh:
        nb = json.load(fh)
    assert nb.get("nbformat") == 4, f"{rel(path)}: not an nbformat 4 notebook"
    return nb


def cell_source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def load_yaml(name: str) -> dict:
    with (ROOT / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def toc_files(node: object) -> list[str]:
    """Every ``file`` (and the ``root``) listed in a jb-book table of contents."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("file", "root") and isinstance(value, str):
                found.append(value)
            else:
                found.extend(toc_files(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(toc_files(item))
    return found


def requirement_lines(path: Path) -> list[str]:
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            lines.append(line)
    return lines


def requirement_name(line: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line)
    assert match, f"cannot parse requirement {line!r}"
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def requirement_files() -> list[Path]:
    return sorted(ROOT.glob("requirements*.txt"))


# --------------------------------------------------------------------------- (a) notebooks
def test_committed_notebooks_have_no_outputs():
    problems = []
    for path in notebooks():
        nb = read_notebook(path)
        for index, cell in enumerate(nb.get("cells", [])):
            if cell.get("cell_type") != "code":
                continue
            if cell.get("outputs"):
                problems.append(f"{rel(path)}: cell {index} has outputs")
            if cell.get("execution_count") is not None:
                problems.append(f"{rel(path)}: cell {index} has an execution count")
        if "widgets" in nb.get("metadata", {}):
            problems.append(f"{rel(path)}: metadata holds saved widget state")
    assert not problems, "run `python scripts/strip_outputs.py` before committing:\n" + "\n".join(
        problems
    )


def test_notebooks_do_not_edit_sys_path():
    problems = []
    for path in notebooks():
        for index, cell in enumerate(read_notebook(path).get("cells", [])):
            if cell.get("cell_type") == "code" and "sys.path" in cell_source(cell):
                problems.append(f"{rel(path)}: cell {index} touches sys.path")
    assert not problems, "import optbook as an installed package instead:\n" + "\n".join(problems)


# --------------------------------------------------------------------------- (b) toc
def test_toc_entries_exist():
    toc = load_yaml("_toc.yml")
    assert toc.get("format") == "jb-book"
    assert toc.get("root") == "intro"
    missing = []
    for entry in toc_files(toc):
        candidates = [ROOT / entry] + [ROOT / f"{entry}{ext}" for ext in (".ipynb", ".md")]
        if not any(c.is_file() for c in candidates):
            missing.append(entry)
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"


def test_every_chapter_is_in_the_toc():
    listed = {str(Path(entry).with_suffix("")) for entry in toc_files(load_yaml("_toc.yml"))}
    absent = [
        rel(path)
        for path in notebooks() + chapter_pages()
        if rel(path.with_suffix("")) not in listed
    ]
    assert not absent, f"pages in chapters/ that _toc.yml does not list: {absent}"


# --------------------------------------------------------------------------- (d) config
def test_config_executes_notebooks_and_fails_on_errors():
    config = load_yaml("_config.yml")
    execute = config["execute"]
    mode = execute["execute_notebooks"]
    # YAML reads a bare `off` as False
    assert mode not in ("off", False, None), "notebooks must be executed by the build"
    assert mode in ("auto", "cache", "force", "inline")
    assert execute["allow_errors"] is False, "a cell error must fail the build"
    assert execute.get("raise_on_error") is True, "a cell error must stop the build"
    assert 0 < execute["timeout"] <= 600
    assert config["only_build_toc_files"] is True


def test_config_bibliography_and_repository():
    config = load_yaml("_config.yml")
    assert config["bibtex_bibfiles"] == ["references.bib"]
    assert (ROOT / "references.bib").is_file()
    url = config["repository"]["url"]
    assert url.startswith("https://"), url
    extensions = config["sphinx"]["extra_extensions"]
    assert "sphinx_exercise" in extensions and "sphinx_proof" in extensions


def test_static_site_prefers_the_widget_fallback():
    overrides = load_yaml("_config.yml")["sphinx"]["config"]["nb_mime_priority_overrides"]
    html_text = 30  # myst-nb's default priority of text/html (lower wins)
    widget = "application/vnd.jupyter.widget-view+json"
    for builder in ("html", "dirhtml", "singlehtml"):
        ranks = [p for b, mime, p in overrides if b == builder and mime == widget]
        assert ranks, f"no widget-view priority for the {builder} builder"
        assert ranks[-1] is None or ranks[-1] > html_text


# --------------------------------------------------------------------------- (e) requirements
def test_requirements_pin_jupyter_book_1():
    specs = [
        line
        for path in requirement_files()
        for line in requirement_lines(path)
        if requirement_name(line) == "jupyter-book"
    ]
    assert specs, "jupyter-book is in no requirements*.txt"
    for line in specs:
        spec = set(re.sub(r"\s+", "", line[len("jupyter-book") :]).split(","))
        assert spec == {">=1.0.4", "<2"}, line


def test_torch_is_a_test_only_dependency():
    holders = [
        path.name
        for path in requirement_files()
        if any(requirement_name(line) == "torch" for line in requirement_lines(path))
    ]
    assert holders, "torch must be pinned in the test requirements"
    outside = [name for name in holders if "test" not in name]
    assert not outside, f"torch outside the test requirements: {outside}"
    with (ROOT / "code" / "pyproject.toml").open("rb") as fh:
        project = tomllib.load(fh)["project"]
    deps = [requirement_name(d) for d in project.get("dependencies", [])]
    assert "torch" not in deps, "optbook must not depend on torch"


def test_package_declares_every_third_party_import():
    """pip install optbook (Colab) must bring what optbook imports: no undeclared deps."""
    import ast
    import sys

    with (ROOT / "code" / "pyproject.toml").open("rb") as fh:
        declared = {requirement_name(d) for d in tomllib.load(fh)["project"]["dependencies"]}
    # import name -> distribution name
    distribution = {"sklearn": "scikit-learn", "IPython": "ipython", "PIL": "pillow"}
    imported = set()
    for path in (ROOT / "code" / "optbook").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = {
        name for name in imported
        if name not in sys.stdlib_module_names and name not in {"optbook", "__future__"}
    }
    missing = sorted(
        distribution.get(n, n) for n in third_party if distribution.get(n, n) not in declared
    )
    assert not missing, f"code/pyproject.toml does not declare: {missing}"


# --------------------------------------------------------------------------- (f) commands
def test_readme_holds_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert BUILD_COMMAND in readme and TEST_COMMAND in readme
    for script in ("scripts/build.sh", "scripts/test.sh"):
        assert (ROOT / script).is_file(), script
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in ci
    commands = [
        line.strip()
        for line in ci.splitlines()
        if line.strip() and not line.lstrip().startswith("#") and not line.startswith("set ")
    ]
    assert TEST_COMMAND in commands, f".ci/run must run `{TEST_COMMAND}`"


# --------------------------------------------------------------------------- citations
# a role written as literal text (``{cite}``) is not a citation
CITE = re.compile(r"(?<!`)\{(?:cite|footcite)(?::[a-z]+)?\}`([^`\n]+)`")
BIB_KEY = re.compile(r"^@\w+\s*\{\s*([^,\s]+)\s*,", re.MULTILINE)
BIBLIOGRAPHY = re.compile(r"^\s*(```|:::)\{bibliography\}", re.MULTILINE)


def book_texts() -> list[tuple[Path, str]]:
    texts = [(p, p.read_text(encoding="utf-8")) for p in sorted(ROOT.glob("*.md"))]
    texts += [(p, p.read_text(encoding="utf-8")) for p in chapter_pages()]
    for path in notebooks():
        cells = read_notebook(path).get("cells", [])
        markdown = [cell_source(c) for c in cells if c.get("cell_type") == "markdown"]
        texts.append((path, "\n".join(markdown)))
    return texts


def test_bibliography_keys_are_unique():
    keys = BIB_KEY.findall((ROOT / "references.bib").read_text(encoding="utf-8"))
    assert keys
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    assert not duplicates, f"duplicate keys in references.bib: {duplicates}"


def test_citations_resolve():
    keys = set(BIB_KEY.findall((ROOT / "references.bib").read_text(encoding="utf-8")))
    unknown = []
    for path, text in book_texts():
        for group in CITE.findall(text):
            for key in (k.strip() for k in group.split(",")):
                if key not in keys:
                    unknown.append(f"{rel(path)}: {key}")
    assert not unknown, "citation keys missing from references.bib:\n" + "\n".join(unknown)


def test_single_global_bibliography():
    holders = [rel(path) for path, text in book_texts() if BIBLIOGRAPHY.search(text)]
    assert holders == ["references.md"], (
        "only references.md holds a {bibliography} directive; chapters cite with {cite:p}/{cite:t}"
        f" (found in {holders})"
    )


@pytest.mark.parametrize("name", ["LICENSE", "README.md", "intro.md", "notation.md"])
def test_top_level_files_exist(name):
    assert (ROOT / name).is_file()


# --------------------------------------------------------------------------- (g) static site
# The built site itself is checked in a browser by tests/browser (a step of
# scripts/test.sh); these are the configuration facts it rests on.
def test_site_serves_mathjax_itself():
    """MathJax comes from the site, not a CDN: _vendor/ is copied into it as-is."""
    config = load_yaml("_config.yml")["sphinx"]["config"]
    path = config["mathjax_path"]
    assert not re.match(r"(https?:)?//", path), f"mathjax_path is remote: {path}"
    assert "_vendor" in config["html_extra_path"]
    script = ROOT / "_vendor" / "_static" / path  # mathjax_path is relative to _static/
    assert script.is_file(), f"{rel(script)} missing"
    assert (script.parent / "LICENSE").is_file(), "MathJax's licence must ship with it"
    assert list((script.parent / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))
    assert (script.parent / "input" / "tex" / "extensions" / "autoload.js").is_file()


def test_site_loads_no_widget_javascript():
    """No require.js or widget manager from a CDN: every widget shows its fallback."""
    assert load_yaml("_config.yml")["sphinx"]["config"]["nb_ipywidgets_js"] == {}


def test_pages_workflow_runs_the_build_command():
    workflow = load_yaml(".github/workflows/pages.yml")
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    assert BUILD_COMMAND in [step.get("run", "").strip() for step in steps]
    uploads = [s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert [s["with"]["path"] for s in uploads] == ["_build/html"]
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in steps)


def test_test_command_runs_the_browser_and_binder_steps():
    script = (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")
    assert "pytest tests/browser" in script
    assert (ROOT / "tests" / "browser" / "test_site.py").is_file()
    ini = (ROOT / "pytest.ini").read_text(encoding="utf-8")
    norecurse = re.search(r"^norecursedirs\s*=\s*(.+)$", ini, re.MULTILINE)
    assert norecurse, "pytest.ini must keep tests/browser and tests/binder out of `pytest tests`"
    assert {"tests/browser", "tests/binder"} <= set(norecurse.group(1).split())


def _command_of(script: str, step: str) -> str:
    """The command of `run_step STEP ...`, continuation lines joined."""
    joined = script.replace("\\\n", " ")
    match = re.search(rf"^run_step {step} (.+)$", joined, re.MULTILINE)
    assert match, f"scripts/test.sh has no step {step!r}"
    return match.group(1)


def test_each_notebook_runs_once_in_the_reader_env_then_the_book_reuses_it():
    script = (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")
    notebooks = _command_of(script, "notebooks")
    # nbval runs the chapters in the kernel of the rebuilt reader environment,
    # in the same session as the checks of that environment
    for part in ("-p nbval_reader", "--reader-env", "--nbval-lax", "chapters", "tests/binder"):
        assert part in notebooks or part in script, part
    assert "--nbval-current-env" not in notebooks
    assert "PYTHONPATH=tests/binder" in notebooks
    # the notebook step comes before the book, which must not execute any notebook
    book = _command_of(script, "book")
    assert "OPTBOOK_REQUIRE_CACHED=1" in book and "scripts/build.sh" in book
    assert script.index("run_step notebooks") < script.index("run_step book")
    # no other step executes notebooks
    code = "\n".join(x for x in script.splitlines() if not x.lstrip().startswith("#"))
    assert code.count("--nbval-lax") == 1, "one step, and only one, runs the notebooks"
    build = (ROOT / "scripts" / "build.sh").read_text(encoding="utf-8")
    assert "OPTBOOK_REQUIRE_CACHED" in build and "Executing notebook" in build
    # the plugin stores into the cache that _config.yml's execute.cache names
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["execute"]["execute_notebooks"] == "cache"
    assert config["execute"]["cache"] == ""  # jupyter-book's default: _build/.jupyter_cache
    plugin = (ROOT / "tests" / "binder" / "nbval_reader.py").read_text(encoding="utf-8")
    assert '"_build" / ".jupyter_cache"' in plugin
    assert "NOTEBOOK_LIMIT = 60.0" in plugin
