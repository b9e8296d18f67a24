"""Write the Colab set-up cell as the first cell of every chapter notebook.

Usage:
    python scripts/sync_colab_cell.py                 # every chapters/*.ipynb
    python scripts/sync_colab_cell.py NB.ipynb ...    # the given notebooks
    python scripts/sync_colab_cell.py --check         # change nothing; exit 1 if one is stale

On Google Colab the book's package is not installed. The first cell of each
chapter installs it, from the repository named in _config.yml
(``repository.url`` and ``repository.branch``: the one place where the URL
lives), and turns on Colab's widget manager so that the ipywidgets explorers
work. Anywhere else (Binder, a local clone, the book's build, the tests) the
cell does nothing and prints nothing.

The cell has the id ``colab-setup`` and the tag ``remove-cell``: the website
does not show it, because there it would only confuse (it does nothing on the
site and nothing on Binder), while Colab, which ignores tags, shows and runs it.

The script is idempotent. A notebook without the cell gets it inserted at the
top; a notebook with it (found by its id, wherever it is) gets it replaced and
moved to the top. Other cells are not touched. Run it after changing the
repository URL or branch in _config.yml; tests/test_colab_cell.py fails until
every notebook is in sync. Needs PyYAML (part of the book's environment).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CELL_ID = "colab-setup"
TAGS = ["remove-cell"]
SUBDIRECTORY = "code"  # where the package's pyproject.toml is, in the repository


def repository(config_path: Path = ROOT / "_config.yml") -> tuple[str, str]:
    """``(url, branch)`` of the book's repository, read from _config.yml."""
    with config_path.open(encoding="utf-8") as fh:
        config = yaml.safe_load(fh)
    repo = config.get("repository") or {}
    url = str(repo.get("url", "")).rstrip("/")
    branch = str(repo.get("branch", "") or "main")
    if not re.fullmatch(r"https://[A-Za-z0-9._~:/%+-]+", url):
        raise ValueError(f"repository.url in {config_path.name} must be an https URL: {url!r}")
    if not re.fullmatch(r"[A-Za-z0-9._/-]+", branch):
        raise ValueError(f"repository.branch in {config_path.name} is not a branch: {branch!r}")
    return url, branch


def requirement(url: str, branch: str) -> str:
    """The pip requirement that installs ``optbook`` from the repository."""
    return f"optbook @ git+{url}@{branch}#subdirectory={SUBDIRECTORY}"


def cell_source(url: str, branch: str) -> str:
    """The code of the set-up cell, for the repository ``url`` at ``branch``."""
    return f'''\
# On Google Colab: install the book's package and enable the interactive
# widgets. Anywhere else (Binder, your computer, the website) do nothing.
import sys

if "google.colab" in sys.modules:
    import subprocess

    from google.colab import output

    _package = "{requirement(url, branch)}"
    print("Installing", _package)
    _pip = [sys.executable, "-m", "pip", "install", "--quiet", _package]
    _done = subprocess.run(_pip, capture_output=True, text=True)
    if _done.returncode != 0:
        raise RuntimeError("pip could not install optbook:\\n" + _done.stderr)
    output.enable_custom_widget_manager()'''


def colab_cell(url: str, branch: str) -> dict:
    """The set-up cell as notebook JSON (nbformat 4.5, no outputs)."""
    lines = cell_source(url, branch).split("\n")
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": CELL_ID,
        "metadata": {"tags": list(TAGS)},
        "outputs": [],
        "source": [line + "\n" for line in lines[:-1]] + [lines[-1]],
    }


def sync(nb: dict, cell: dict) -> bool:
    """Put ``cell`` first in ``nb``, replacing any earlier copy; True if ``nb`` changed."""
    cells = nb.setdefault("cells", [])
    if cells and cells[0] == cell and sum(c.get("id") == CELL_ID for c in cells) == 1:
        return False
    nb["cells"] = [cell] + [c for c in cells if c.get("id") != CELL_ID]
    # cell ids exist from nbformat 4.5 on
    if nb.get("nbformat", 4) == 4 and nb.get("nbformat_minor", 0) < 5:
        nb["nbformat_minor"] = 5
    return True


def dumps(nb: dict) -> str:
    # indent 1 and a final newline, as Jupyter writes; key order is kept so
    # that only the first cell shows in a diff
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if a notebook is out of date"
    )
    args = parser.parse_args(argv)

    cell = colab_cell(*repository())
    paths = args.notebooks or sorted((ROOT / "chapters").glob("*.ipynb"))
    stale = []
    for path in paths:
        nb = json.loads(path.read_text(encoding="utf-8"))
        if sync(nb, cell):
            stale.append(path)
            if not args.check:
                path.write_text(dumps(nb), encoding="utf-8")
    verb = "out of date" if args.check else "synced"
    for path in stale:
        print(f"{verb}: {path}")
    if not stale:
        print(f"{len(paths)} notebook(s) already have the current Colab cell")
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
