"""Sphinx extension of the optbook website, loaded by ``_config.yml`` (``sphinx.local_extensions``).

It drops duplicate ``<script>`` tags from every page. Sphinx 7.4 adds an inline
script that an extension registers after the builder started (sphinx-thebe's
``const THEBE_JS_URL = ...``, sphinx-togglebutton's selector) twice: once as
registered, once again when it prepares writing, with ``''`` instead of ``None``
as file name, so its duplicate check misses it. The second ``const`` declaration
is a JavaScript error in every reader's console. ``tests/browser`` checks that
no page logs a console error.

It also drops the theme's ``fontawesome.js`` from every page (see
``drop_fontawesome_js``), and loads ``optbook_bibtex`` (this folder), the
author–year styles of the citations and of the bibliography.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

#: The theme's script tag of Font Awesome's JavaScript (pydata-sphinx-theme's
#: ``webpack-macros.html`` writes it into every page's <head>).
FONTAWESOME_SCRIPT = re.compile(
    r'[ \t]*<script\b[^>]*\bsrc="[^"]*_static/scripts/fontawesome\.js(?:\?[^"]*)?"[^>]*>'
    r"\s*</script>[ \t]*\n?"
)


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


def drop_fontawesome_js(app: Any, exception: Exception | None) -> None:
    """Remove the theme's Font Awesome JavaScript from the built site.

    ``fontawesome.js`` (1.5 MB, 0.54 MB gzip-compressed) was the largest file of
    every page: more than a third of what a text page sends. It replaces each
    ``<i class="fa-...">`` icon with an inline SVG. The theme's stylesheet
    already holds Font Awesome's CSS and ``@font-face`` rules, and the pages load
    its webfonts (solid and brands, 0.27 MB) in any case, so without the script
    every icon is drawn from the webfont instead: the same glyphs.
    ``tests/browser`` checks that the header icons are drawn and that no page
    loads the script.
    """
    if exception is not None or getattr(app.builder, "format", "") != "html":
        return
    outdir = Path(app.outdir)
    for page in outdir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        stripped = FONTAWESOME_SCRIPT.sub("", text)
        if stripped != text:
            page.write_text(stripped, encoding="utf-8")
    for name in ("fontawesome.js", "fontawesome.js.map"):
        (outdir / "_static" / "scripts" / name).unlink(missing_ok=True)


def setup(app: Any) -> dict[str, Any]:
    # Author–year citations and bibliography (_ext/optbook_bibtex.py).
    app.setup_extension("optbook_bibtex")
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    app.connect("build-finished", drop_fontawesome_js)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
