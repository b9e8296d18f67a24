"""The reader's environment, rebuilt from scratch as Binder builds it.

Binder builds its image with repo2docker. This repository has no ``binder/``
folder, so repo2docker reads the configuration files at the root:
``runtime.txt`` (the Python version) and ``requirements.txt`` (what to
install), and runs ``pip install -r requirements.txt`` with the repository as
the working directory. That is why ``-e ./code`` in ``requirements.txt``
installs the book's package from the checkout: pip resolves a local path in a
requirements file against its working directory, not against the file.

Docker is not available to the tests, so :func:`build_reader_env` does the same
thing in a virtual environment:

1. copy the files that git would commit into a temporary directory
   (repo2docker builds from a checkout, not from the work tree with its
   ``.venv``, ``_build`` and caches);
2. create a fresh virtual environment with the Python of ``runtime.txt``;
3. run ``pip install -r requirements.txt`` in the copy's root, and nothing
   else (pip's download cache makes a rerun fast);
4. register a Jupyter kernel, :data:`KERNEL_NAME`, that runs the fresh
   environment's Python and sees nothing of the outer one.

Two users share it: the notebook step of ``scripts/test.sh`` (the plugin
``nbval_reader.py`` runs every chapter with nbval in that kernel, once) and
``test_binder_env.py`` (what the environment holds, and what it does not).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KERNEL_NAME = "optbook-reader"


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
    """``chapters/*.ipynb`` as git would commit them, relative to the root."""
    return [name for name in repo_files() if re.fullmatch(r"chapters/[^/]+\.ipynb", name)]


def runtime_python() -> str:
    """An interpreter with the Python version that runtime.txt asks for."""
    runtime = (ROOT / "runtime.txt").read_text(encoding="utf-8").strip()
    match = re.fullmatch(r"python-(\d+)\.(\d+)", runtime)
    if not match:
        raise RuntimeError(f"runtime.txt should read python-X.Y, not {runtime!r}")
    wanted = (int(match[1]), int(match[2]))
    if sys.version_info[:2] == wanted:
        # `python -m venv` from inside a venv builds on the base interpreter,
        # so the new environment inherits none of this one's packages.
        return sys.executable
    name = f"python{wanted[0]}.{wanted[1]}"
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"runtime.txt asks for Python {name[6:]}, and no {name} is on PATH")
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


@dataclass
class ReaderEnv:
    """A fresh reader environment: the checkout copy, its venv and its kernel."""

    checkout: Path
    venv: Path
    jupyter_path: Path  # holds kernels/KERNEL_NAME/kernel.json
    pip_seconds: float

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def kernels(self) -> Path:
        return self.jupyter_path / "kernels"

    @property
    def env(self) -> dict[str, str]:
        return clean_env(self.venv)

    def run_python(self, code: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.python), "-c", code],
            cwd=cwd or self.checkout,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )


def build_reader_env(base: Path) -> ReaderEnv:
    """Copy the repository into ``base``, build the venv, register the kernel."""
    checkout = base / "checkout"
    for name in repo_files():
        target = checkout / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)

    venv = base / "venv"
    subprocess.run([runtime_python(), "-m", "venv", str(venv)], check=True)
    env = clean_env(venv)

    # Exactly what repo2docker runs, from the root of the checkout.
    start = time.perf_counter()
    pip = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--progress-bar", "off"]
        + ["-r", "requirements.txt"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    pip_seconds = time.perf_counter() - start
    if pip.returncode != 0:
        raise RuntimeError(
            "pip install -r requirements.txt failed in a fresh venv:\n"
            + pip.stdout[-4000:]
            + pip.stderr
        )

    jupyter_path = base / "jupyter"
    spec_dir = jupyter_path / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True)
    python = str(venv / "bin" / "python")
    spec = {
        "argv": [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "optbook reader environment (test)",
        "language": "python",
        # The kernel sees the fresh venv only, whoever starts it, and draws
        # with ipykernel's inline backend (as a reader's Jupyter does), even
        # when the process that starts it has MPLBACKEND=Agg.
        "env": {
            **{k: env[k] for k in ("PATH", "VIRTUAL_ENV", "PYTHONNOUSERSITE", "PYTHONHASHSEED")},
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        },
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return ReaderEnv(checkout, venv, jupyter_path, pip_seconds)
