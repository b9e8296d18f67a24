"""The built site, as a reader's browser shows it (headless Chromium, no internet).

Every page of ``_toc.yml`` is checked: no console error, no failed request, no
request to another host, every image loaded, every math node rendered by
MathJax without error, every internal link and anchor resolving, the Binder and
Colab launch buttons pointing at the page's notebook, the explorers showing
their static fallback, the exercise solutions hidden until toggled, and the
page weight within budget. See ``conftest.py`` for how pages are served and
visited, and the README ("Testing") for how to run these tests.
"""

from __future__ import annotations

import json
import re
import subprocess
import urllib.parse
from pathlib import Path

import pytest
from book_pages import REPO_ROOT, book_config, notebook_source, toc_pages

PAGES = toc_pages()
NOTEBOOK_PAGES = [p for p in PAGES if notebook_source(p) is not None]

#: Budget of one page, in bytes (the issue's "3 MB").
PAGE_BUDGET = 3_000_000

#: A code cell that builds an interactive explorer (optbook.explorer).
EXPLORER_CALL = re.compile(r"\b(?:optimizer_)?explorer\s*\(")

#: Tags whose URL the browser fetches while it loads the page.
REMOTE_ASSET = re.compile(
    r"<(?:script|img|iframe|source|video|audio|embed)\b[^>]*\bsrc=[\"']((?:https?:)?//[^\"']+)"
    r"|<link\b[^>]*\brel=[\"'](?:stylesheet|preload|modulepreload|icon)[\"'][^>]*"
    r"\bhref=[\"']((?:https?:)?//[^\"']+)"
    r"|url\(\s*[\"']?((?:https?:)?//[^\"')]+)"
    r"|@import\s+[\"']((?:https?:)?//[^\"']+)",
    re.IGNORECASE,
)


def _lines(items: list[str]) -> str:
    """One item per line, duplicates removed, in first-seen order."""
    return "\n  " + "\n  ".join(dict.fromkeys(items))


# --------------------------------------------------------------------------- the page set
def test_toc_lists_the_front_page_and_the_chapters():
    assert len(PAGES) == len(set(PAGES)), "a page is listed twice in _toc.yml"
    assert any(p.startswith("chapters/") for p in PAGES)
    for page in PAGES:
        assert (REPO_ROOT / f"{page}.md").exists() or notebook_source(page), page


def test_every_toc_page_was_built(site_dir: Path):
    missing = [p for p in PAGES if not (site_dir / f"{p}.html").is_file()]
    assert not missing, f"pages of _toc.yml with no HTML file in {site_dir}:{_lines(missing)}"


def test_no_html_file_links_a_remote_asset(site_dir: Path):
    """No built HTML or CSS file (toc pages, search, index, ...) loads from another host.

    Links a reader clicks (``<a href>``) may point anywhere; scripts, styles,
    images, fonts and frames must come from the site itself.
    """
    found = []
    files = sorted(site_dir.rglob("*.html")) + sorted(site_dir.rglob("*.css"))
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in REMOTE_ASSET.finditer(text):
            url = next(g for g in match.groups() if g)
            found.append(f"{path.relative_to(site_dir)}: {url}")
    assert len(files) > len(PAGES)
    assert not found, f"remote assets:{_lines(found)}"


# --------------------------------------------------------------------------- every page
@pytest.mark.parametrize("page", PAGES)
def test_no_request_to_another_host(site, page):
    """The page is complete from the site alone (launch buttons open only when clicked)."""
    visit = site.visit(page)
    assert not visit.external_requests, (
        f"{page} requested other hosts (blocked):{_lines(visit.external_requests)}"
    )


@pytest.mark.parametrize("page", PAGES)
def test_no_console_error(site, page):
    visit = site.visit(page)
    assert not visit.console_errors, f"{page}: console errors:{_lines(visit.console_errors)}"


@pytest.mark.parametrize("page", PAGES)
def test_no_failed_request(site, page):
    visit = site.visit(page)
    assert not visit.failed_requests, f"{page}: failed requests:{_lines(visit.failed_requests)}"
    assert visit.resources and visit.resources[0]["type"] == "navigation"


@pytest.mark.parametrize("page", PAGES)
def test_every_image_loaded(site, page):
    visit = site.visit(page)
    broken = [f"{i['src']} (alt {i['alt']!r})" for i in visit.images if i["naturalWidth"] <= 0]
    assert not broken, f"{page}: images that did not load:{_lines(broken)}"


@pytest.mark.parametrize("page", PAGES)
def test_math_rendered_without_error(site, page):
    """Every math node holds MathJax output; no error, no undefined macro, no raw TeX."""
    visit = site.visit(page)
    math = visit.math
    html = (site.site_dir / f"{page}.html").read_text(encoding="utf-8")
    has_math = 'class="math' in html
    assert not math["unrendered"], f"{page}: math left unrendered:{_lines(math['unrendered'])}"
    assert not math["errors"], f"{page}: MathJax errors:{_lines(math['errors'])}"
    assert not math["mathml_errors"], f"{page}: MathJax errors:{_lines(math['mathml_errors'])}"
    assert not math["undefined_macros"], (
        f"{page}: undefined TeX macros:{_lines(math['undefined_macros'])}"
    )
    assert not math["raw"], f"{page}: TeX delimiters left in the text:{_lines(math['raw'])}"
    assert not math["leaked"], (
        f"{page}: TeX outside the math nodes (a $...$ split by a line that Markdown read "
        f"as a list item or a quote?):{_lines(math['leaked'])}"
    )
    assert (math["nodes"] > 0) == has_math, f"{page}: math nodes in the DOM vs the HTML file"
    if has_math:
        assert math["containers"] >= math["nodes"] > 0, f"{page}: math not rendered"


@pytest.mark.parametrize("page", PAGES)
def test_captions_and_printed_output_are_plain_text(site, page):
    """Captions use the book's math or Unicode; printed output uses plain Unicode.

    No ``$``, no ``_{`` and no internal label such as ``eq-gd-update`` is left
    in a figure or table caption (outside its rendered math and code) or in
    what a cell prints (a printed Python source excepted); and no ASCII
    subscript such as ``2/λ_max`` or ``θ_t`` in a caption.
    """
    visit = site.visit(page)
    assert not visit.bad_captions, f"{page}: TeX or labels in captions:{_lines(visit.bad_captions)}"
    assert not visit.bad_outputs, (
        f"{page}: TeX or labels in printed output:{_lines(visit.bad_outputs)}"
    )


@pytest.mark.parametrize("page", PAGES)
def test_display_equations_fit_the_text_column(site, page):
    """At 1280 px no equation is wider than the room it has.

    A display equation fits its box (beside its number), and an inline formula
    ends inside its paragraph.
    """
    layout = site.visit(page).layout
    assert layout["column"] > 400, f"{page}: text column of {layout['column']} px?"
    assert not layout["wide_displays"], (
        f"{page}: display equations wider than the {layout['column']} px column at "
        f"{layout['viewport']} px (break them with aligned or split):"
        + _lines(layout["wide_displays"])
    )
    assert not layout["wide_inline"], (
        f"{page}: inline formulas that run past the text at {layout['viewport']} px "
        "(make them display equations, or split them):" + _lines(layout["wide_inline"])
    )


@pytest.mark.parametrize("page", PAGES)
def test_tables_fit_the_text_column(site, page):
    """At 1280 px no table is wider than the text column, and no row has an empty cell."""
    layout = site.visit(page).layout
    tables = layout["tables"]
    wide = [f"{t['head']!r}: {t['width']} px" for t in tables if t["width"] > t["column"] + 1]
    assert not wide, f"{page}: tables wider than the {layout['column']} px column:{_lines(wide)}"
    empty = [f"{t['head']!r}: {t['empty_rows']} rows" for t in layout["tables"] if t["empty_rows"]]
    assert not empty, f"{page}: tables with empty cells (a | inside a cell?):{_lines(empty)}"


@pytest.mark.parametrize("page", PAGES)
def test_on_a_phone_wide_equations_scroll_in_their_own_box(site, page):
    """At 400 px, a display too wide for the screen scrolls inside its own box.

    None is clipped by the page, and the page itself does not scroll sideways.
    """
    layout = site.visit(page).phone_layout
    assert layout["viewport"] == 400
    assert not layout["clipped_displays"], (
        f"{page}: display equations cut off at 400 px:{_lines(layout['clipped_displays'])}"
    )
    assert not layout["page_scrolls_sideways"], f"{page}: the page scrolls sideways at 400 px"


@pytest.mark.parametrize("page", PAGES)
def test_favicon_is_served(site, page):
    visit = site.visit(page)
    assert visit.icons, f"{page}: no <link rel='icon'>: the browser asks for /favicon.ico (404)"
    for href in visit.icons:
        assert site.is_local(href), href
        rel = urllib.parse.unquote(urllib.parse.urlsplit(href).path)
        rel = rel[len(urllib.parse.urlsplit(site.base_url).path):]
        assert (site.site_dir / rel).is_file(), f"{page}: favicon {href} is not in the site"


def test_chinese_glossary_terms_have_a_font(site):
    """The glossary's Chinese names render with a CJK font, not as empty boxes.

    The site's CSS names CJK fonts in its fallback list, and the machine that
    runs the test has one (scripts/_env.sh installs Debian's fonts-noto-cjk).
    """
    glossary = next(p for p in PAGES if p.endswith("glossary"))
    visit = site.visit(glossary)
    assert "CJK" in visit.font_family, f"no CJK font in the fallback list: {visit.font_family}"
    html = (site.site_dir / f"{glossary}.html").read_text(encoding="utf-8")
    assert re.search(r"[\u4e00-\u9fff]", html), "the glossary has no Chinese term"
    listed = subprocess.run(
        ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False
    ).stdout
    installed = {f.strip() for line in listed.splitlines() for f in line.split(",") if f.strip()}
    named = {f.strip().strip("'\"") for f in visit.font_family.split(",")}
    assert installed & named, (
        f"none of the CSS fonts {sorted(named)} is an installed Chinese font "
        f"{sorted(installed)[:6]}"
    )
    site.screenshot(glossary)  # kept in the artefacts, to look at


@pytest.mark.parametrize("page", PAGES)
def test_internal_links_and_anchors_resolve(site, page):
    visit = site.visit(page)
    broken = []
    checked = 0
    for href in visit.links:
        if not href.startswith(site.base_url):
            continue
        parts = urllib.parse.urlsplit(href)
        rel = urllib.parse.unquote(parts.path)[len(urllib.parse.urlsplit(site.base_url).path):]
        target = site.site_dir / rel
        if rel == "" or rel.endswith("/"):
            target = target / "index.html"
        checked += 1
        if not target.is_file():
            broken.append(f"{href}: no file {target.relative_to(site.site_dir)}")
            continue
        anchor = urllib.parse.unquote(parts.fragment)
        if anchor and target.suffix == ".html" and anchor not in site.ids(target):
            broken.append(f"{href}: no id {anchor!r} in {target.relative_to(site.site_dir)}")
    assert checked > 0, f"{page}: no internal link found (navigation missing?)"
    assert not broken, f"{page}: broken internal links:{_lines(sorted(set(broken)))}"


@pytest.mark.parametrize("page", PAGES)
def test_no_widget_view_on_the_site(site, page):
    """No page shows a widget view, so no page needs widget JavaScript (none is served)."""
    widgets = site.visit(page).widgets
    assert widgets["views"] == 0, f"{page}: widget views on the page (need widget JS)"
    assert widgets["widget_elements"] == 0, f"{page}: widget elements on the page"
    assert not widgets["loading_text"], f"{page}: 'Loading widget...' text on the page"


@pytest.mark.parametrize("page", PAGES)
def test_exercise_solutions_hidden_until_toggled(site, page):
    solutions = site.visit(page).solutions
    for s in solutions:
        assert s["dropdown"], f"{page}: solution {s['id']} is not a dropdown (`:class: dropdown`)"
        assert s["parts"] > 0, f"{page}: solution {s['id']} has no content"
        assert s["button"], f"{page}: solution {s['id']} has no toggle button"
        assert not s["visible_before"], f"{page}: solution {s['id']} visible before the click"
        assert s["visible_after"], f"{page}: solution {s['id']} still hidden after the click"


@pytest.mark.parametrize("page", PAGES)
def test_page_weight_within_budget(site, page):
    """At most 3 MB sent on a first visit, and at most 3 MB of the page's own content.

    Sent: every response body (HTML, images, JavaScript, CSS, fonts) as the
    server sends it, text gzip-compressed as by GitHub Pages. Own content: the
    HTML with its embedded figures and animations, plus its image files,
    uncompressed.
    """
    visit = site.visit(page)
    assert visit.transferred_bytes > 0
    assert visit.transferred_bytes <= PAGE_BUDGET, (
        f"{page}: {visit.transferred_bytes / 1e6:.2f} MB sent on a first visit "
        f"(budget {PAGE_BUDGET / 1e6:.0f} MB); largest files:"
        + _lines([f"{r['encoded'] / 1e3:8.0f} kB {r['url']}"
                  for r in sorted(visit.resources, key=lambda r: -r["encoded"])[:8]])
    )
    assert visit.own_bytes <= PAGE_BUDGET, (
        f"{page}: its HTML and images weigh {visit.own_bytes / 1e6:.2f} MB "
        f"(budget {PAGE_BUDGET / 1e6:.0f} MB): compress or shrink the figures and animations"
    )


# --------------------------------------------------------------------------- notebook pages
def _launch_targets(page: str) -> tuple[str, str, str]:
    """Binder URL prefix, the notebook path, and the Colab URL, from ``_config.yml``."""
    config = book_config()
    repo_url = config["repository"]["url"].rstrip("/")
    owner_repo = urllib.parse.urlsplit(repo_url).path.strip("/")
    branch = config["repository"].get("branch", "main")
    book_path = (config["repository"].get("path_to_book") or "").strip("/")
    notebook = "/".join(p for p in (book_path, f"{page}.ipynb") if p)
    launch = config["launch_buttons"]
    binder = f"{launch['binderhub_url'].rstrip('/')}/v2/gh/{owner_repo}/{branch}?"
    colab = f"{launch['colab_url'].rstrip('/')}/github/{owner_repo}/blob/{branch}/{notebook}"
    return binder, notebook, colab


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_launch_buttons_open_this_notebook(site, page):
    visit = site.visit(page)
    binder_prefix, notebook, colab = _launch_targets(page)
    binder = [u for u in visit.launch_links if u.startswith(binder_prefix.split("/v2/")[0])]
    colabs = [u for u in visit.launch_links if u.startswith(colab.split("/github/")[0])]
    assert len(binder) == 1, f"{page}: Binder launch buttons: {binder} (links {visit.launch_links})"
    assert len(colabs) == 1, f"{page}: Colab launch buttons: {colabs}"
    assert binder[0].startswith(binder_prefix), f"{page}: {binder[0]} !~ {binder_prefix}..."
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(binder[0]).query)
    opened = [v for key in ("urlpath", "labpath", "filepath") for v in query.get(key, [])]
    assert opened and all(v.endswith(notebook) for v in opened), (
        f"{page}: Binder opens {opened}, not {notebook}"
    )
    assert colabs[0] == colab, f"{page}: Colab opens {colabs[0]}, not {colab}"
    assert visit.launch_visible_after_click and all(visit.launch_visible_after_click), (
        f"{page}: the launch menu did not show its buttons when clicked"
    )


def _explorer_cells(page: str) -> int:
    path = notebook_source(page)
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"] if path else []
    return sum(
        1 for c in cells
        if c["cell_type"] == "code" and EXPLORER_CALL.search("".join(c["source"]))
    )


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_explorers_show_their_static_fallback(site, page):
    calls = _explorer_cells(page)
    fallbacks = site.visit(page).widgets["fallbacks"]
    assert len(fallbacks) >= calls, (
        f"{page}: {calls} cells build an explorer, {len(fallbacks)} static fallbacks shown"
    )
    for f in fallbacks:
        assert f["img"] and f["naturalWidth"] > 0, f"{page}: fallback without its image: {f}"
        assert "Static version of the interactive explorer" in f["caption"], (
            f"{page}: the fallback's caption does not say it is static: {f['caption']!r}"
        )


def test_some_page_has_an_explorer_fallback(site):
    """The explorer check above is not vacuous: the book has explorers, and they show."""
    # from the built HTML, not a second visit: under pytest-xdist another worker
    # may own those pages (test_explorers_show_their_static_fallback loads them)
    pages = [p for p in NOTEBOOK_PAGES if _explorer_cells(p)]
    assert pages, "no chapter builds an explorer"
    for p in pages:
        html = (site.site_dir / f"{p}.html").read_text(encoding="utf-8")
        assert "optbook-explorer-fallback" in html, f"{p}: explorer without a fallback"


def test_some_page_has_exercise_solutions(site):
    """The solution check above is not vacuous."""
    solution = re.compile(r'class="[^"]*\bsolution\b')
    assert any(
        solution.search((site.site_dir / f"{p}.html").read_text(encoding="utf-8"))
        for p in PAGES
    ), "no page has an exercise solution"


# --------------------------------------------------------------------------- header icons
#: The visible icons of the page header (theme buttons: repository, download,
#: full screen, colour mode, search, launch), their ``::before`` glyph, and the
#: Font Awesome webfonts that the page loaded.
_HEADER_ICONS_JS = r"""
async () => {
  await document.fonts.ready;
  const sel = ".bd-header-article, .bd-header, .article-header-buttons";
  const icons = [...document.querySelectorAll(sel)].flatMap(h =>
    [...h.querySelectorAll("i[class*='fa-'], svg.svg-inline--fa")]);
  const visible = [...new Set(icons)].filter(e => {
    const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none";
  });
  return {
    icons: visible.map((e, i) => {
      e.setAttribute("data-optbook-icon", String(i));
      const before = getComputedStyle(e, "::before");
      const r = e.getBoundingClientRect();
      return { index: i, tag: e.tagName.toLowerCase(), cls: e.getAttribute("class") || "",
               content: before.content, font: before.fontFamily,
               width: r.width, height: r.height };
    }),
    fonts: [...document.fonts].filter(f => /Font Awesome/.test(f.family))
      .map(f => ({ family: f.family, weight: f.weight, status: f.status })),
  };
}
"""


def _drawn_pixels(png: bytes) -> int:
    """Pixels that differ clearly from the icon box's background (its corner pixel)."""
    import io

    import numpy as np
    from PIL import Image

    grey = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=int)
    return int((np.abs(grey - grey[0, 0]) > 60).sum())


def test_no_page_loads_fontawesome_js(site_dir: Path):
    """The theme's 1.5 MB Font Awesome script is gone (_ext/optbook_site.py): the icons
    come from the webfonts that the theme's stylesheet declares."""
    pages = [p for p in sorted(site_dir.rglob("*.html"))
             if p.relative_to(site_dir).parts[0] != "_static"]  # (the theme's templates)
    assert len(pages) > len(PAGES)
    loading = [p.relative_to(site_dir).as_posix() for p in pages
               if "scripts/fontawesome.js" in p.read_text(encoding="utf-8", errors="replace")]
    assert not loading, f"pages that still load fontawesome.js:{_lines(loading)}"


@pytest.mark.parametrize("page", [PAGES[0], NOTEBOOK_PAGES[0]])
def test_header_icons_are_drawn(site, page):
    """Every visible icon of the page header is drawn: a Font Awesome glyph from a loaded
    webfont (or an inline SVG), a box of non-zero size, and pixels on the screen."""
    context, tab = site._new_page()
    try:
        site._load(tab, site.url(page))
        data = tab.evaluate(_HEADER_ICONS_JS)
        icons = data["icons"]
        assert len(icons) >= 3, f"{page}: only {len(icons)} visible header icons: {icons}"
        loaded = {f["family"].strip("'\"") for f in data["fonts"] if f["status"] == "loaded"}
        problems = []
        for icon in icons:
            name = f"<{icon['tag']} class={icon['cls']!r}>"
            if icon["tag"] == "i":
                glyph = icon["content"].strip("'\"")
                if len(glyph) != 1 or not 0xE000 <= ord(glyph) <= 0xF8FF:
                    problems.append(f"{name}: ::before content {icon['content']!r}, no glyph")
                    continue
                family = next((f for f in loaded if f in icon["font"]), None)
                if family is None:
                    problems.append(f"{name}: font {icon['font']!r} not loaded ({loaded})")
            png = tab.locator(f"[data-optbook-icon='{icon['index']}']").screenshot()
            if _drawn_pixels(png) < 10:
                problems.append(f"{name}: {icon['width']:.0f}x{icon['height']:.0f} px, blank")
        assert not problems, f"{page}: header icons not drawn:{_lines(problems)}"
    finally:
        context.close()
