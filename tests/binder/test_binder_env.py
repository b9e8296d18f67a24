"""The reader's environment, rebuilt from scratch, runs every chapter.

Binder builds its image with repo2docker. This repository has no ``binder/``
folder, so repo2docker reads the configuration files at the root:
``runtime.txt`` (the Python version) and ``requirements.txt`` (what to
install), and runs ``pip install -r requirements.txt`` with the repository as
the working directory. That is why ``-e ./code`` in ``requirements.txt``
installs the book's package from the checkout: pip resolves a local path in a
requirements file against its working directory, not against the file.

Docker is not available to the tests, so this module does the same thing in a
virtual environment:

1. copy the files that git would commit into a temporary directory
   (repo2docker builds from a checkout, not from the work tree with its
   ``.venv``, ``_build`` and caches);
2. create a fresh virtual environment with the Python of ``runtime.txt``;
3. run ``pip install -r requirements.txt`` in the copy's root, and nothing
   else (pip's download cache makes a rerun fast);
4. check that neither PyTorch nor Jupyter Book is importable there, and that
   ``optbook`` comes from the copy;
5. register a Jupyter kernel that runs the fresh environment's Python, and
   execute every ``chapters/*.ipynb`` of the copy top to bottom with it.
   ``nbclient`` drives the kernel from the outer (test) environment; the
   notebook code runs in the fresh one. Any cell error fails the test.

scripts/test.sh runs this module as its own step (``pytest tests/binder``);
it takes a few minutes, most of it executing the notebooks.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError

ROOT = Path(__file__).resolve().parents[2]
KERNEL_NAME = "optbook-binder-test"
CELL_TIMEOUT = 120  # seconds, as execute.timeout in _config.yml
NOT_FOR_READERS = ("torch", "jupyter_book")


# --------------------------------------------------------------------------- helpers
def repo_files() -> list[str]:
    """Paths (relative to the root) of the files git would commit.

    Tracked files plus untracked ones that .gitignore does not exclude, so a
    notebook that is not committed yet is tested too.
    """
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return sorted({name for name in out.stdout.split("\0") if name and (ROOT / name).is_file()})


def chapter_notebooks() -> list[str]:
    return [name for name in repo_files() if re.fullmatch(r"chapters/[^/]+\.ipynb", name)]


def runtime_python() -> str:
    """An interpreter with the Python version that runtime.txt asks for."""
    runtime = (ROOT / "runtime.txt").read_text(encoding="utf-8").strip()
    match = re.fullmatch(r"python-(\d+)\.(\d+)", runtime)
    assert match, f"runtime.txt should read python-X.Y, not {runtime!r}"
    wanted = (int(match[1]), int(match[2]))
    if sys.version_info[:2] == wanted:
        # `python -m venv` from inside a venv builds on the base interpreter,
        # so the new environment inherits none of this one's packages.
        return sys.executable
    name = f"python{wanted[0]}.{wanted[1]}"
    found = shutil.which(name)
    assert found, f"runtime.txt asks for Python {name[6:]}, and no {name} is on PATH"
    return found


def clean_env(venv: Path) -> dict[str, str]:
    """The environment of a process that should see only the fresh venv."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "MPLBACKEND", "CONDA_PREFIX")
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    env["PYTHONNOUSERSITE"] = "1"  # nothing from ~/.local either
    env["PYTHONHASHSEED"] = "0"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def report(config: pytest.Config, line: str) -> None:
    """Print a line to the terminal even while pytest captures output."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:  # pragma: no cover - pytest without them
        print(line)
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line(line)


# --------------------------------------------------------------------------- the environment
class BinderEnv:
    def __init__(self, checkout: Path, venv: Path, kernels: Path) -> None:
        self.checkout = checkout
        self.venv = venv
        self.python = venv / "bin" / "python"
        self.kernels = kernels
        self.env = clean_env(venv)

    def run_python(self, code: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.python), "-c", code],
            cwd=cwd or self.checkout,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def kernel_manager(self) -> AsyncKernelManager:
        specs = KernelSpecManager(kernel_dirs=[str(self.kernels)])
        return AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=specs)

    def execute(self, path: Path) -> nbformat.NotebookNode:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb,
            km=self.kernel_manager(),
            kernel_name=KERNEL_NAME,
            timeout=CELL_TIMEOUT,
            allow_errors=False,
            resources={"metadata": {"path": str(path.parent)}},  # the kernel's cwd
        )
        client.execute(env=self.env)
        return nb


@pytest.fixture(scope="module")
def binder_env(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest):
    start = time.perf_counter()
    base = tmp_path_factory.mktemp("binder")
    checkout = base / "checkout"
    for name in repo_files():
        target = checkout / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)

    venv = base / "venv"
    subprocess.run([runtime_python(), "-m", "venv", str(venv)], check=True)
    env = BinderEnv(checkout, venv, base / "kernels")

    # Exactly what repo2docker runs, from the root of the checkout.
    pip_start = time.perf_counter()
    pip = subprocess.run(
        [str(env.python), "-m", "pip", "install", "--progress-bar", "off"]
        + ["-r", "requirements.txt"],
        cwd=checkout,
        env=env.env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    pip_seconds = time.perf_counter() - pip_start
    assert pip.returncode == 0, (
        "pip install -r requirements.txt failed in a fresh venv:\n"
        + pip.stdout[-4000:]
        + pip.stderr
    )

    spec_dir = env.kernels / KERNEL_NAME
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [str(env.python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "optbook Binder environment (test)",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")

    report(
        request.config,
        f"\nbinder env: fresh venv + pip install -r requirements.txt in {pip_seconds:.0f} s "
        f"(setup {time.perf_counter() - start:.0f} s in all)",
    )
    yield env
    report(request.config, f"binder env: {time.perf_counter() - start:.0f} s in all")


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
        executed = binder_env.execute(probe)
    finally:
        probe.unlink()
    text = "".join(o.get("text", "") for o in executed.cells[0].outputs)
    executable, optbook_file = text.split()
    assert Path(executable).parent == binder_env.venv / "bin"
    assert Path(optbook_file).is_relative_to(binder_env.checkout / "code")


def test_there_are_chapters_to_run():
    assert chapter_notebooks(), "no chapters/*.ipynb found"


@pytest.mark.parametrize("name", chapter_notebooks())
def test_chapter_runs_in_the_reader_env(binder_env, name, request):
    start = time.perf_counter()
    try:
        nb = binder_env.execute(binder_env.checkout / name)
    except CellTimeoutError as exc:
        pytest.fail(f"{name}: a cell ran longer than {CELL_TIMEOUT} s in the Binder env:\n{exc}")
    except CellExecutionError as exc:
        pytest.fail(f"{name} fails in the Binder environment:\n{str(exc)[-6000:]}")
    seconds = time.perf_counter() - start
    stderr = [
        (index, output.get("text", "").strip())
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream" and output.get("name") == "stderr"
    ]
    report(request.config, f"binder env: {name} executed in {seconds:.0f} s")
    for index, text in stderr:
        # Not a failure here (the book build, with -W, fails on stderr), but shown.
        report(request.config, f"  stderr of cell {index}: {text[:300]}")


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
