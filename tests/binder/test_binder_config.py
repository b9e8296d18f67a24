"""What Binder builds from: the files repo2docker reads, and nothing else.

repo2docker looks for its configuration files at the repository root, or,
if a ``binder/`` (or ``.binder/``) folder exists, only there. This repository
keeps the reader's environment at the root: ``runtime.txt`` and
``requirements.txt``. These checks read files only; test_binder_env.py builds
the environment and runs the chapters in it.
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The reader's packages, and only those: no Jupyter Book, no PyTorch, no test tools.
LEAN = {"numpy", "matplotlib", "ipywidgets", "ipykernel", "scikit-learn"}

# Files that would make repo2docker ignore requirements.txt, or install more
# than it lists (https://repo2docker.readthedocs.io, "Configuration files").
OTHER_REPO2DOCKER_FILES = [
    "binder",
    ".binder",
    "environment.yml",
    "Pipfile",
    "Pipfile.lock",
    "pyproject.toml",
    "setup.py",
    "Dockerfile",
    "default.nix",
    "Project.toml",
    "JuliaProject.toml",
    "REQUIRE",
    "install.R",
    "DESCRIPTION",
    "apt.txt",
    "postBuild",
    "start",
    "requirements3.txt",
]


def requirement_lines(path: Path) -> list[str]:
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned() -> dict[str, str]:
    pins = {}
    for line in requirement_lines(ROOT / "requirements.txt"):
        if line.startswith("-"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([A-Za-z0-9.+!-]+)", line)
        assert match, f"requirements.txt: {line!r} is not pinned with =="
        pins[normalise(match[1])] = match[2]
    return pins


def test_requirements_are_exactly_the_lean_reader_env():
    assert set(pinned()) == LEAN


def test_optbook_installs_from_the_checkout():
    options = [
        line for line in requirement_lines(ROOT / "requirements.txt") if line.startswith("-")
    ]
    # pip resolves ./code against its working directory, which repo2docker
    # sets to the repository root; the file sits there too.
    assert options == ["-e ./code"], options
    assert (ROOT / "code" / "pyproject.toml").is_file()


def test_runtime_names_a_python_version():
    runtime = (ROOT / "runtime.txt").read_text(encoding="utf-8").strip()
    assert re.fullmatch(r"python-3\.\d+", runtime), runtime
    requires = (ROOT / "code" / "pyproject.toml").read_text(encoding="utf-8")
    minimum = re.search(r'requires-python\s*=\s*">=3\.(\d+)"', requires)
    assert minimum and int(runtime.split(".")[1]) >= int(minimum[1])


@pytest.mark.parametrize("name", OTHER_REPO2DOCKER_FILES)
def test_nothing_else_steers_repo2docker(name):
    assert not (ROOT / name).exists(), (
        f"{name} at the repository root changes what Binder installs; the reader's "
        "environment is requirements.txt + runtime.txt (see README, 'Reading the book')"
    )


def test_book_and_test_requirements_include_the_reader_env():
    assert "-r requirements.txt" in requirement_lines(ROOT / "requirements-book.txt")
    assert "-r requirements-book.txt" in requirement_lines(ROOT / "requirements-test.txt")


@pytest.mark.parametrize("name", sorted(LEAN))
def test_the_book_is_built_with_the_versions_binder_installs(name):
    """The environment that builds the book has the versions Binder pins."""
    assert metadata.version(name) == pinned()[name]
