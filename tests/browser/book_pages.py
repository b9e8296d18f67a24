"""The pages of the book (from ``_toc.yml``) and its configuration, for the browser tests."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]


def _toc_files(entries: list[dict[str, Any]]) -> list[str]:
    files: list[str] = []
    for entry in entries:
        if "file" in entry:
            files.append(str(entry["file"]))
        for key in ("parts", "chapters", "sections"):
            files.extend(_toc_files(entry.get(key) or []))
    return files


def toc_pages() -> list[str]:
    """The pages of ``_toc.yml`` (root first, then in reading order), without suffix."""
    toc = yaml.safe_load((REPO_ROOT / "_toc.yml").read_text(encoding="utf-8"))
    pages = [str(toc["root"])] + _toc_files(toc.get("parts") or toc.get("chapters") or [])
    return [re.sub(r"\.(md|ipynb)$", "", p) for p in pages]


def notebook_source(page: str) -> Path | None:
    """The notebook a page is built from, or None for a Markdown page."""
    path = REPO_ROOT / f"{page}.ipynb"
    return path if path.exists() else None


def book_config() -> dict[str, Any]:
    return yaml.safe_load((REPO_ROOT / "_config.yml").read_text(encoding="utf-8"))
