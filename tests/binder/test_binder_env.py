"""The reader's environment, rebuilt from scratch as Binder builds it.

:mod:`reader_env` explains how the environment is built (a copy of what git
would commit, a fresh venv, ``pip install -r requirements.txt`` and nothing
else, a kernel that runs that venv). These tests check what it holds and what
it does not, that its kernel really runs it, and that the code which
``how_to_use.md`` shows a reader runs in it.

The chapters themselves run in that environment in the notebook step of
``scripts/test.sh``: nbval executes each of them once there (the plugin
``nbval_reader.py``), and the book build reuses those executions. Run in the
same session (``pytest -p nbval_reader --reader-env ... tests/binder``), these
tests use the environment that the plugin built; alone
(``pytest tests/binder``) they build their own.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from reader_env import KERNEL_NAME, ROOT, ReaderEnv, build_reader_env, chapter_notebooks

CELL_TIMEOUT = 120  # seconds, as execute.timeout in _config.yml
NOT_FOR_READERS = ("torch", "jupyter_book")


def report(config: pytest.Config, line: str) -> None:
    """Print a line to the terminal even while pytest captures output."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:  # pragma: no cover - pytest without them
        print(line)
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line(line)


def execute(env: ReaderEnv, path: Path) -> nbformat.NotebookNode:
    """Run a notebook top to bottom in the environment's kernel."""
    nb = nbformat.read(path, as_version=4)
    specs = KernelSpecManager(kernel_dirs=[str(env.kernels)])
    client = NotebookClient(
        nb,
        km=AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=specs),
        kernel_name=KERNEL_NAME,
        timeout=CELL_TIMEOUT,
        allow_errors=False,
        resources={"metadata": {"path": str(path.parent)}},  # the kernel's cwd
    )
    client.execute(env=env.env)
    return nb


@pytest.fixture(scope="module")
def binder_env(request: pytest.FixtureRequest):
    plugin = request.config.pluginmanager.get_plugin("nbval_reader")
    env = plugin.reader_env_of(request.config) if plugin is not None else None
    if env is not None:
        report(request.config, "\nbinder env: the one in which the notebook step ran the chapters")
        yield env
        return
    start = time.perf_counter()
    env = build_reader_env(Path(tempfile.mkdtemp(prefix="optbook-binder-")))
    report(
        request.config,
        f"\nbinder env: fresh venv + pip install -r requirements.txt in {env.pip_seconds:.0f} s "
        f"(setup {time.perf_counter() - start:.0f} s in all)",
    )
    yield env


# --------------------------------------------------------------------------- tests
@pytest.mark.parametrize("module", NOT_FOR_READERS)
def test_book_and_test_tools_are_not_in_the_reader_env(binder_env, module):
    result = binder_env.run_python(f"import {module}")
    assert result.returncode != 0, f"{module} is importable in the Binder environment"
    assert "ModuleNotFoundError" in result.stderr, result.stderr


def test_reader_packages_import_from_the_fresh_env(binder_env):
    result = binder_env.run_python(
        "import sys, json, numpy, matplotlib, ipywidgets, ipykernel, sklearn, optbook\n"
        "print(json.dumps({'prefix': sys.prefix, 'optbook': optbook.__file__,\n"
        "                  'numpy': numpy.__file__}))"
    )
    assert result.returncode == 0, result.stderr
    where = json.loads(result.stdout)
    assert Path(where["prefix"]) == binder_env.venv
    assert Path(where["numpy"]).is_relative_to(binder_env.venv)
    # installed in editable mode from the checkout, as `-e ./code` says
    assert Path(where["optbook"]).is_relative_to(binder_env.checkout / "code")


def test_the_kernel_runs_the_fresh_env(binder_env):
    nb = nbformat.v4.new_notebook()
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "import sys, optbook\nprint(sys.executable)\nprint(optbook.__file__)"
        )
    )
    probe = binder_env.checkout / "chapters" / "_kernel_probe.ipynb"
    nbformat.write(nb, probe)
    try:
        executed = execute(binder_env, probe)
    finally:
        probe.unlink()
    text = "".join(o.get("text", "") for o in executed.cells[0].outputs)
    executable, optbook_file = text.split()
    assert Path(executable).parent == binder_env.venv / "bin"
    assert Path(optbook_file).is_relative_to(binder_env.checkout / "code")


def test_there_are_chapters_to_run():
    assert chapter_notebooks(), "no chapters/*.ipynb found"


def python_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", markdown, flags=re.MULTILINE | re.DOTALL)


def test_the_how_to_page_snippets_run_in_the_reader_env(binder_env):
    """The code that how_to_use.md shows a reader runs with the reader's packages."""
    blocks = python_blocks((ROOT / "how_to_use.md").read_text(encoding="utf-8"))
    assert blocks, "how_to_use.md shows no ```python block"
    for block in blocks:
        result = binder_env.run_python(block)
        assert result.returncode == 0, (
            f"this block of how_to_use.md fails:\n{block}\n{result.stderr}"
        )
