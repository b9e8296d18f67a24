"""Strip outputs, execution counts and saved widget state from notebooks, in place.

Usage:
    python scripts/strip_outputs.py                 # every chapters/*.ipynb
    python scripts/strip_outputs.py NB.ipynb ...    # the given notebooks
    python scripts/strip_outputs.py --check         # list unstripped notebooks, exit 1 if any

Outputs are never committed: the book's build and the tests run every notebook
themselves. Standard library only; the JSON is written the way Jupyter writes it
(indent 1, sorted keys, a final newline), so a stripped notebook that Jupyter
saves again shows no spurious diff.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def strip(nb: dict) -> bool:
    """Remove outputs, execution counts and widget state; return True if ``nb`` changed."""
    changed = False
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        if cell.get("outputs"):
            cell["outputs"] = []
            changed = True
        if cell.get("execution_count") is not None:
            cell["execution_count"] = None
            changed = True
        metadata = cell.get("metadata", {})
        for key in ("execution", "collapsed", "scrolled"):
            if key in metadata:
                del metadata[key]
                changed = True
    if "widgets" in nb.get("metadata", {}):
        del nb["metadata"]["widgets"]
        changed = True
    return changed


def dumps(nb: dict) -> str:
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if a notebook needs stripping"
    )
    args = parser.parse_args(argv)

    paths = args.notebooks or sorted((ROOT / "chapters").glob("*.ipynb"))
    dirty = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        nb = json.loads(text)
        if strip(nb):
            dirty.append(path)
            if not args.check:
                path.write_text(dumps(nb), encoding="utf-8")
    verb = "needs stripping" if args.check else "stripped"
    for path in dirty:
        print(f"{verb}: {path}")
    if not dirty:
        print(f"{len(paths)} notebook(s) already clean")
    return 1 if (args.check and dirty) else 0


if __name__ == "__main__":
    sys.exit(main())
