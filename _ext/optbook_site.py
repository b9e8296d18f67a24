"""Sphinx extension of the optbook website, loaded by ``_config.yml`` (``sphinx.local_extensions``).

It drops duplicate ``<script>`` tags from every page. Sphinx 7.4 adds an inline
script that an extension registers after the builder started (sphinx-thebe's
``const THEBE_JS_URL = ...``, sphinx-togglebutton's selector) twice: once as
registered, once again when it prepares writing, with ``''`` instead of ``None``
as file name, so its duplicate check misses it. The second ``const`` declaration
is a JavaScript error in every reader's console. ``tests/browser`` checks that
no page logs a console error.

It also loads ``optbook_bibtex`` (this folder), the author–year styles of the
citations and of the bibliography.
"""

from __future__ import annotations

from typing import Any


def _script_key(script: Any) -> tuple[Any, ...]:
    filename = getattr(script, "filename", script) or ""
    attributes = getattr(script, "attributes", {}) or {}
    return (filename, getattr(script, "priority", None), tuple(sorted(attributes.items())))


def drop_duplicate_scripts(app: Any, pagename: str, templatename: str, context: dict,
                           doctree: Any) -> None:
    """Keep the first of identical scripts in the page's ``script_files``, in order."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[Any, ...]] = set()
    unique = []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def setup(app: Any) -> dict[str, Any]:
    # Author–year citations and bibliography (_ext/optbook_bibtex.py).
    app.setup_extension("optbook_bibtex")
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
