"""The Colab set-up cell at the top of every chapter (scripts/sync_colab_cell.py).

- Every chapter notebook starts with exactly the cell that the script
  generates from the current _config.yml (repository.url and .branch).
- Outside Colab the cell does nothing and prints nothing.
- With a stand-in ``google.colab`` module, it installs exactly the configured
  repository, branch and subdirectory with pip, and enables Colab's custom
  widget manager.
- pip accepts the requirement it writes, and finds the package ``optbook`` in
  the ``code`` subdirectory of the repository (checked against a local clone,
  since the tests have no network access to the published repository).
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "sync_colab_cell.py"


def load_script() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("sync_colab_cell", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sync_colab_cell = load_script()
URL, BRANCH = sync_colab_cell.repository()
CELL = sync_colab_cell.colab_cell(URL, BRANCH)
SOURCE = sync_colab_cell.cell_source(URL, BRANCH)


def chapter_notebooks() -> list[Path]:
    return sorted((ROOT / "chapters").glob("*.ipynb"))


# --------------------------------------------------------------------------- notebooks
def test_there_are_chapters():
    assert chapter_notebooks()


@pytest.mark.parametrize("path", chapter_notebooks(), ids=lambda p: p.name)
def test_first_cell_is_the_current_colab_cell(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    hint = (
        f"{path.name} does not start with the Colab cell generated from _config.yml "
        f"({URL}, branch {BRANCH}); run `python scripts/sync_colab_cell.py`"
    )
    assert cells and cells[0] == CELL, hint
    assert [c.get("id") for c in cells].count(sync_colab_cell.CELL_ID) == 1, hint


def test_the_site_does_not_show_the_cell():
    assert "remove-cell" in CELL["metadata"]["tags"]


def test_the_script_check_mode_agrees():
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --------------------------------------------------------------------------- behaviour
def test_outside_colab_the_cell_does_nothing_and_prints_nothing(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", SOURCE],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    assert list(tmp_path.iterdir()) == []


class Recorder:
    def __init__(self) -> None:
        self.pip_calls: list[list[str]] = []
        self.widget_manager_enabled = 0

    def run(self, args, **kwargs):
        self.pip_calls.append(list(args))
        return subprocess.CompletedProcess(args, 0, stdout="", stderr="")

    def enable_custom_widget_manager(self) -> None:
        self.widget_manager_enabled += 1


def fake_colab(monkeypatch: pytest.MonkeyPatch, recorder: Recorder) -> None:
    google = types.ModuleType("google")
    colab = types.ModuleType("google.colab")
    output = types.ModuleType("google.colab.output")
    output.enable_custom_widget_manager = recorder.enable_custom_widget_manager
    colab.output = output
    google.colab = colab
    monkeypatch.setitem(sys.modules, "google", google)
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    monkeypatch.setitem(sys.modules, "google.colab.output", output)
    monkeypatch.setattr(subprocess, "run", recorder.run)


def test_on_colab_the_cell_installs_the_configured_repository(monkeypatch, capsys):
    recorder = Recorder()
    fake_colab(monkeypatch, recorder)
    exec(compile(SOURCE, "colab-setup", "exec"), {"__name__": "__main__"})

    assert len(recorder.pip_calls) == 1
    call = recorder.pip_calls[0]
    assert call[:4] == [sys.executable, "-m", "pip", "install"]
    assert call[-1] == f"optbook @ git+{URL}@{BRANCH}#subdirectory=code"
    assert recorder.widget_manager_enabled == 1
    assert "Installing" in capsys.readouterr().out


def test_on_colab_a_failed_install_raises(monkeypatch):
    recorder = Recorder()
    fake_colab(monkeypatch, recorder)

    def failing_run(args, **kwargs):
        return subprocess.CompletedProcess(args, 1, stdout="", stderr="no network")

    monkeypatch.setattr(subprocess, "run", failing_run)
    with pytest.raises(RuntimeError, match="no network"):
        exec(compile(SOURCE, "colab-setup", "exec"), {"__name__": "__main__"})
    assert recorder.widget_manager_enabled == 0


def test_pip_finds_optbook_in_the_code_subdirectory(tmp_path):
    """The requirement's form works: pip resolves it to optbook from code/."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.fail("this check needs git and the repository's history")
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    # the published URL replaced by this repository; file://localhost/ is the
    # form of a local path that PEP 508 direct references accept
    requirement = sync_colab_cell.requirement(f"file://localhost{ROOT.as_posix()}", commit)
    report = tmp_path / "report.json"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--no-deps"]
        + ["--no-build-isolation", "--quiet", "--report", str(report), requirement],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    (install,) = json.loads(report.read_text(encoding="utf-8"))["install"]
    assert install["metadata"]["name"] == "optbook"
    assert install["download_info"]["subdirectory"] == "code"
    assert install["download_info"]["vcs_info"]["commit_id"] == commit


# --------------------------------------------------------------------------- the script
def test_the_cell_follows_the_config(tmp_path):
    config = tmp_path / "_config.yml"
    config.write_text(
        "repository:\n  url: https://example.org/someone/fork/\n  branch: dev-2\n",
        encoding="utf-8",
    )
    url, branch = sync_colab_cell.repository(config)
    assert (url, branch) == ("https://example.org/someone/fork", "dev-2")
    source = sync_colab_cell.cell_source(url, branch)
    assert '"optbook @ git+https://example.org/someone/fork@dev-2#subdirectory=code"' in source


@pytest.mark.parametrize(
    "text",
    [
        "repository:\n  url: http://insecure.example.org/x\n",
        'repository:\n  url: https://example.org/x"; import os\n',
        "repository:\n  url: https://example.org/x\n  branch: main; rm\n",
        "title: no repository\n",
    ],
)
def test_a_bad_repository_is_refused(tmp_path, text):
    config = tmp_path / "_config.yml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=r"repository\.(url|branch)"):
        sync_colab_cell.repository(config)


def notebook(*sources: str) -> dict:
    return {
        "cells": [
            {"cell_type": "markdown", "id": f"c{i}", "metadata": {}, "source": s}
            for i, s in enumerate(sources)
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 4,
    }


def test_sync_inserts_then_is_idempotent():
    nb = notebook("# Title", "text")
    assert sync_colab_cell.sync(nb, CELL) is True
    assert nb["cells"][0] == CELL and len(nb["cells"]) == 3
    assert nb["nbformat_minor"] == 5  # cell ids need nbformat 4.5
    before = json.dumps(nb)
    assert sync_colab_cell.sync(nb, CELL) is False
    assert json.dumps(nb) == before


def test_sync_replaces_and_moves_an_old_cell():
    nb = notebook("# Title", "text")
    old = dict(CELL, source=["print('old URL')"])
    nb["cells"].insert(1, old)
    nb["cells"].append(dict(old))
    assert sync_colab_cell.sync(nb, CELL) is True
    ids = [c["id"] for c in nb["cells"]]
    assert ids == [sync_colab_cell.CELL_ID, "c0", "c1"]
    assert nb["cells"][0] == CELL


def test_main_writes_only_what_changes(tmp_path):
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(notebook("# Title")), encoding="utf-8")
    assert sync_colab_cell.main(["--check", str(path)]) == 1
    assert sync_colab_cell.main([str(path)]) == 0
    written = path.read_text(encoding="utf-8")
    assert json.loads(written)["cells"][0] == CELL
    assert sync_colab_cell.main(["--check", str(path)]) == 0
    assert sync_colab_cell.main([str(path)]) == 0
    assert path.read_text(encoding="utf-8") == written
    assert re.match(r'\{\n "cells": \[\n', written)  # indent 1, as Jupyter writes
