"""Browser tests of the built site: fixtures, the page visit, screenshots on failure.

The site in ``_build/html`` (or ``$OPTBOOK_SITE_DIR``) is served by a standard
library HTTP server on 127.0.0.1 (a free port) and visited by headless Chromium
through Playwright's Python package. The browser is Debian's ``/usr/bin/chromium``
(or ``$OPTBOOK_CHROMIUM``), never one that Playwright downloads;
``scripts/test.sh`` installs it when it is missing.

Every page of ``_toc.yml`` is loaded once, in a fresh browser context (empty
cache: a reader's first visit), and everything the tests check is collected
during that visit (:class:`PageVisit`). Every request to another host than the
local server is aborted and recorded: the site must be complete without one.

The server compresses text files (HTML, CSS, JavaScript, SVG, JSON) with gzip
when the browser asks for it, as GitHub Pages does, so that the page weight
measured here is what a reader downloads from the published site.

When a test about a page fails, a full-page screenshot of that page is saved in
``_build/browser-artifacts/`` (or ``$OPTBOOK_BROWSER_ARTIFACTS``) and its path
is printed with the failure and in the summary.
"""

from __future__ import annotations

import functools
import gzip
import html.parser
import http.server
import json
import os
import shutil
import threading
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from book_pages import REPO_ROOT

SITE_DIR = Path(os.environ.get("OPTBOOK_SITE_DIR", REPO_ROOT / "_build" / "html"))
ARTIFACTS_DIR = Path(
    os.environ.get("OPTBOOK_BROWSER_ARTIFACTS", REPO_ROOT / "_build" / "browser-artifacts")
)
CHROMIUM = os.environ.get("OPTBOOK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
#: A phone's width, where long displays must scroll inside their own box.
PHONE_VIEWPORT = {"width": 400, "height": 900}
#: Milliseconds to wait for a page's load, its math and its images.
TIMEOUT_MS = 60_000
#: The session's Site, for the page-weight table of the terminal summary.
_SITE_FOR_SUMMARY: dict[str, Site] = {}


# --------------------------------------------------------------------------- server
_COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files; text gzip-compressed when asked for (as GitHub Pages serves them)."""

    _gzip_cache: dict[tuple[str, float], bytes] = {}

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        ctype = self.guess_type(str(path))
        if (
            path.is_file()
            and "gzip" in self.headers.get("Accept-Encoding", "")
            and ctype.startswith(_COMPRESSIBLE)
        ):
            key = (str(path), path.stat().st_mtime)
            body = self._gzip_cache.get(key)
            if body is None:
                body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
                self._gzip_cache[key] = body
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()


@pytest.fixture(scope="session")
def site_dir() -> Path:
    if not (SITE_DIR / "index.html").is_file():
        pytest.fail(
            f"no built site in {SITE_DIR}: run `bash scripts/build.sh` first "
            "(`bash scripts/test.sh` builds it before the browser tests)",
            pytrace=False,
        )
    return SITE_DIR


@pytest.fixture(scope="session")
def base_url(site_dir: Path):
    handler = functools.partial(_SiteHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"no Chromium at {CHROMIUM}: `bash scripts/test.sh` installs Debian's package "
            "(apt-get install chromium); or set OPTBOOK_CHROMIUM to a Chromium binary",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


# --------------------------------------------------------------------------- visit
@dataclass
class PageVisit:
    """What one load of a page showed (see :meth:`Site.visit`)."""

    page: str
    url: str
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    math: dict[str, Any] = field(default_factory=dict)
    links: list[str] = field(default_factory=list)
    launch_links: list[str] = field(default_factory=list)
    launch_visible_after_click: list[bool] = field(default_factory=list)
    widgets: dict[str, Any] = field(default_factory=dict)
    solutions: list[dict[str, Any]] = field(default_factory=list)
    resources: list[dict[str, Any]] = field(default_factory=list)
    bad_captions: list[str] = field(default_factory=list)
    bad_outputs: list[str] = field(default_factory=list)
    layout: dict[str, Any] = field(default_factory=dict)
    phone_layout: dict[str, Any] = field(default_factory=dict)
    icons: list[str] = field(default_factory=list)
    font_family: str = ""

    @property
    def transferred_bytes(self) -> int:
        """Bytes of every response body as sent (gzip where the server compresses)."""
        return sum(r["encoded"] for r in self.resources)

    @property
    def uncompressed_bytes(self) -> int:
        return sum(r["decoded"] for r in self.resources)

    @property
    def own_bytes(self) -> int:
        """Uncompressed bytes of the page itself: its HTML (with embedded figures and
        animations) and its images; the theme, MathJax and fonts are shared by all pages."""
        return sum(
            r["decoded"] for r in self.resources
            if r["type"] in ("navigation", "img") or "/_images/" in r["url"]
        )


#: Layout at the current viewport: display equations and tables against the
#: width of the text column, and whether the page itself scrolls sideways.
_LAYOUT_JS = r"""
() => {
  const article = document.querySelector("article") || document.body;
  const column = article.getBoundingClientRect();
  const label = (el) => {
    const eq = el.closest("div.math") || el;
    const num = eq.querySelector(".eqno") || eq.parentElement.querySelector(".eqno");
    const id = eq.id || (eq.previousElementSibling && eq.previousElementSibling.id) || "";
    const section = el.closest("section");
    const where = section && section.id ? section.id : "?";
    return `${num ? num.textContent.trim() : ""} ${id} in §${where}`.trim();
  };
  const clipped = (el) => {
    // is el (or its overflow) cut off by an ancestor that does not scroll?
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const st = getComputedStyle(a);
      const box = a.getBoundingClientRect();
      const scrolls = /(auto|scroll)/.test(st.overflowX);
      if (scrolls && a.scrollWidth > a.clientWidth + 1) return false;  // scrolls inside its box
      const hides = /(hidden|clip)/.test(st.overflowX);
      if (hides && el.getBoundingClientRect().right > box.right + 1) return true;
    }
    return el.getBoundingClientRect().right > window.innerWidth + 1;
  };
  const displays = [...document.querySelectorAll(
    "div.math mjx-container, mjx-container[display='true']")];
  const uniq = [...new Set(displays)];
  const wide = [], cut = [];
  for (const c of uniq) {
    // the formula's own width against the room it has: its container's box
    // (narrower than the column when an equation number sits beside it)
    const inner = c.firstElementChild || c;
    const width = Math.max(inner.getBoundingClientRect().width, c.scrollWidth);
    const box = (c.closest("div.math") || c.parentElement).getBoundingClientRect();
    const room = Math.min(c.clientWidth || box.width, box.width, column.width);
    if (width > room + 1) {
      wide.push(`${label(c)}: ${Math.round(width)} px in ${Math.round(room)} px`);
      if (clipped(c)) cut.push(label(c));
    }
  }
  // inline formulas that run past the right edge of their paragraph (MathJax
  // does not break a long inline formula; the theme clips what sticks out)
  const inline = [...article.querySelectorAll("mjx-container:not([display='true'])")]
    .filter(c => !c.closest("div.math, table, .cell_output, figcaption"))
    .filter(c => {
      const block = c.closest("p, li, dd, dt, .admonition, .proof");
      return block && c.getBoundingClientRect().right > block.getBoundingClientRect().right + 1;
    })
    .map(c => {
      const block = c.closest("p, li, dd, dt");
      return (block ? block.textContent : c.textContent).trim().replace(/\s+/g, " ").slice(0, 80);
    });
  const tables = [...article.querySelectorAll("table")].map(t => {
    const w = Math.max(t.getBoundingClientRect().width, t.scrollWidth);
    const empty = [...t.querySelectorAll("tbody tr")].filter(r =>
      [...r.children].some(td => td.textContent.trim() === ""
                                 && !td.querySelector("img, mjx-container")));
    const head = (t.querySelector("tr") || t).textContent.trim().replace(/\s+/g, " ").slice(0, 60);
    return {head, width: Math.round(w), column: Math.round(column.width), empty_rows: empty.length};
  });
  return {
    viewport: window.innerWidth,
    column: Math.round(column.width),
    displays: uniq.length,
    wide_displays: wide,
    wide_inline: [...new Set(inline)],
    clipped_displays: cut,
    tables,
    page_scrolls_sideways: document.documentElement.scrollWidth > window.innerWidth + 1,
  };
}
"""

_COLLECT_JS = r"""
() => {
  const LAYOUT = """ + _LAYOUT_JS.strip() + r""";
  const text = (el) => (el.textContent || "").trim();
  // Math: every Sphinx math node (span.math / div.math) must hold MathJax output.
  const nodes = [...document.querySelectorAll(".math")];
  const unrendered = nodes.filter(n => !n.querySelector("mjx-container")).map(text);
  const errors = [...document.querySelectorAll("mjx-merror, merror")].map(text);
  let mml = [];
  if (window.MathJax && MathJax.startup && MathJax.startup.document && MathJax.startup.toMML) {
    mml = Array.from(MathJax.startup.document.math).map(m => MathJax.startup.toMML(m.root));
  }
  // TeX left as raw text outside code: text nodes of the article not inside
  // code, scripts or MathJax output.
  const article = document.querySelector("article") || document.body;
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT, {
    acceptNode(n) {
      return n.parentElement.closest(
        "pre, code, script, style, textarea, mjx-container, .highlight, .MathJax"
      ) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
    }
  });
  const raw = [];
  const pattern = /\$\$|\\\(|\\\)|\\\[|\\\]|\\begin\{/;
  // TeX that escaped its math node: a lone $, a TeX command, a sub- or
  // superscript group (a hard-wrapped "- " or "1." line splits a $...$ pair)
  const leaked = [];
  const texPattern = /\$|\\[A-Za-z]+|[_^]\{/;
  while (walker.nextNode()) {
    const t = walker.currentNode.nodeValue;
    if (pattern.test(t)) raw.push(t.trim().slice(0, 120));
    if (texPattern.test(t)) {
      const where = walker.currentNode.parentElement.closest(
        "p, li, td, th, dd, dt, h1, h2, h3, h4, figcaption");
      leaked.push((where ? where.textContent : t).trim().replace(/\s+/g, " ").slice(0, 160));
    }
  }
  // What a caption or a cell's printed output says: plain Unicode, no TeX,
  // no internal label.
  // (also the repr of an object a cell did not mean to print, such as
  // <matplotlib.legend.Legend at 0x7f...>: a lost trailing semicolon)
  const badText = /\$|_\{|\beq-[a-z]|<[A-Za-z_.]+ (object )?at 0x[0-9a-f]+>/;
  // in a caption, an ASCII subscript such as 2/λ_max or θ_t is raw TeX too
  const badCaption = /\$|_\{|\beq-[a-z]|[^\s_]_[A-Za-z0-9]/;
  const captions = [...article.querySelectorAll("figcaption, caption")]
    .map(c => {
      // the caption's text outside its rendered math and its code
      const clone = c.cloneNode(true);
      clone.querySelectorAll("mjx-container, .math, code").forEach(m => m.remove());
      return text(clone);
    })
    .filter(t => badCaption.test(t));
  // printed output; a printed Python source (inspect.getsource) is code, not prose
  const source = /^\s*(class |def |async def |@)/;
  const outputs = [...article.querySelectorAll(".cell_output pre, .cell_output .output")]
    .map(text).filter(t => !source.test(t) && badText.test(t)).map(t => {
      const i = t.search(badText);
      return t.slice(Math.max(0, i - 60), i + 60).replace(/\s+/g, " ");
    });
  const perf = performance.getEntriesByType("navigation")
    .concat(performance.getEntriesByType("resource"));
  return {
    images: [...document.images].map(i => ({
      src: i.currentSrc.startsWith("data:") ? i.currentSrc.slice(0, 40) + "..." : i.currentSrc,
      naturalWidth: i.naturalWidth, complete: i.complete, alt: i.alt,
    })),
    math: {
      nodes: nodes.length,
      containers: document.querySelectorAll("mjx-container").length,
      unrendered, errors, raw,
      leaked,
      mathml_errors: mml.filter(s => /<merror/.test(s)),
      undefined_macros: mml.flatMap(s => s.match(/<mtext mathcolor="red">\\[^<]*/g) || []),
    },
    bad_captions: captions,
    bad_outputs: [...new Set(outputs)],
    layout: LAYOUT(),
    icons: [...document.querySelectorAll("link[rel~='icon']")].map(l => l.href),
    font_family: getComputedStyle(article).fontFamily,
    links: [...document.querySelectorAll("a[href]")].map(a => a.href),
    launch_links: [...document.querySelectorAll(".dropdown-launch-buttons a[href]")]
      .map(a => a.href),
    widgets: {
      views: document.querySelectorAll(
        'script[type="application/vnd.jupyter.widget-view+json"]').length,
      widget_elements: document.querySelectorAll(".jupyter-widgets, .widget-area").length,
      loading_text: /Loading widget|Error rendering Jupyter widget/.test(document.body.innerText),
      fallbacks: [...document.querySelectorAll("figure.optbook-explorer-fallback")].map(f => {
        const img = f.querySelector("img");
        return { img: !!img, naturalWidth: img ? img.naturalWidth : 0,
                 caption: text(f.querySelector("figcaption") || f) };
      }),
    },
    resources: perf.map(e => ({
      url: e.name, type: e.entryType === "navigation" ? "navigation" : e.initiatorType,
      encoded: e.encodedBodySize, decoded: e.decodedBodySize, transfer: e.transferSize,
    })),
  };
}
"""

_FORCE_IMAGES_JS = """
async () => {
  // lazy images: load them all now, then wait for each to finish (or fail)
  for (const img of document.images) img.loading = "eager";
  await Promise.all([...document.images].map(img => img.complete ? null :
    new Promise(resolve => { img.addEventListener("load", resolve, {once: true});
                             img.addEventListener("error", resolve, {once: true}); })));
}
"""

_WAIT_MATH_JS = """
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
    return true;
  }
  return false;
}
"""


class Site:
    """The served site and the browser; visits each page once and keeps the result."""

    def __init__(self, browser: Any, base_url: str, site_dir: Path) -> None:
        self.browser = browser
        self.base_url = base_url
        self.site_dir = site_dir
        self._visits: dict[str, PageVisit] = {}
        self._ids: dict[Path, set[str]] = {}
        self.screenshots: dict[str, Path] = {}

    def url(self, page: str) -> str:
        return urllib.parse.urljoin(self.base_url, f"{page}.html")

    def is_local(self, url: str) -> bool:
        return url.startswith(self.base_url) or url.startswith(("data:", "blob:", "about:"))

    def _new_page(
        self, visit: PageVisit | None = None, viewport: dict[str, int] = VIEWPORT
    ) -> tuple[Any, Any]:
        context = self.browser.new_context(viewport=viewport, service_workers="block")
        context.set_default_timeout(TIMEOUT_MS)

        def route(r: Any) -> None:
            if self.is_local(r.request.url):
                r.continue_()
            else:
                if visit is not None:
                    visit.external_requests.append(r.request.url)
                r.abort("blockedbyclient")

        context.route("**/*", route)
        page = context.new_page()
        if visit is not None:
            page.on("console", lambda m: m.type == "error" and visit.console_errors.append(
                f"{m.text} ({m.location.get('url', '')}:{m.location.get('lineNumber', '')})"))
            page.on("pageerror", lambda e: visit.console_errors.append(f"uncaught: {e}"))
            page.on("requestfailed", lambda r: self.is_local(r.url) and not r.url.startswith(
                "data:") and visit.failed_requests.append(f"{r.url}: {r.failure}"))
            page.on("response", lambda r: r.status >= 400 and visit.failed_requests.append(
                f"{r.url}: HTTP {r.status}"))
        return context, page

    def _load(self, page: Any, url: str) -> None:
        page.goto(url, wait_until="load")
        page.evaluate(_WAIT_MATH_JS)
        page.evaluate(_FORCE_IMAGES_JS)
        page.wait_for_load_state("networkidle")

    def visit(self, name: str) -> PageVisit:
        if name in self._visits:
            return self._visits[name]
        if not (self.site_dir / f"{name}.html").is_file():
            pytest.fail(f"{name}: no {name}.html in {self.site_dir} (not built?)", pytrace=False)
        visit = PageVisit(page=name, url=self.url(name))
        context, page = self._new_page(visit)
        try:
            self._load(page, visit.url)
            data = page.evaluate(_COLLECT_JS)
            for key in (
                "images", "math", "links", "launch_links", "widgets", "resources",
                "bad_captions", "bad_outputs", "layout", "icons", "font_family",
            ):
                setattr(visit, key, data[key])
            # launch buttons: the rocket menu opens and shows them
            menu = page.locator(".dropdown-launch-buttons")
            if menu.count():
                menu.locator("button.dropdown-toggle").click()
                visit.launch_visible_after_click = [
                    a.is_visible() for a in menu.locator("a[href]").all()
                ]
                page.keyboard.press("Escape")
            # exercise solutions: hidden until their toggle button is clicked
            for sol in page.locator(".solution").all():
                body = sol.locator(":scope > :not(.admonition-title)")
                record = {
                    "id": sol.get_attribute("id"),
                    "dropdown": "dropdown" in (sol.get_attribute("class") or "").split(),
                    "parts": body.count(),
                    "visible_before": any(b.is_visible() for b in body.all()),
                }
                button = sol.locator(".admonition-title button.toggle-button")
                record["button"] = button.count() == 1
                if record["button"]:
                    button.click()
                    page.wait_for_timeout(100)
                    record["visible_after"] = body.count() > 0 and all(
                        b.is_visible() for b in body.all())
                visit.solutions.append(record)
            # the same page on a phone: only its layout. The window is narrowed
            # rather than the page loaded a second time (MathJax's second
            # typesetting was a third of the step's time); the solutions are
            # open now, so the equations inside them are measured as well.
            page.set_viewport_size(PHONE_VIEWPORT)
            page.wait_for_function(f"window.innerWidth === {PHONE_VIEWPORT['width']}")
            visit.phone_layout = page.evaluate(_LAYOUT_JS)
        finally:
            context.close()
        self._visits[name] = visit
        return visit

    def screenshot(self, name: str, phone: bool = False) -> Path:
        """A full-page screenshot of a page, loaded as in :meth:`visit`."""
        key = f"{name} (phone)" if phone else name
        if key in self.screenshots:
            return self.screenshots[key]
        if not (self.site_dir / f"{name}.html").is_file():
            raise FileNotFoundError(f"{name}.html is not in the built site")
        ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS_DIR / (name.replace("/", "__") + ("-phone" if phone else "") + ".png")
        context, page = self._new_page(viewport=PHONE_VIEWPORT if phone else VIEWPORT)
        try:
            self._load(page, self.url(name))
            page.screenshot(path=str(path), full_page=True)
        finally:
            context.close()
        self.screenshots[key] = path
        return path

    def ids(self, path: Path) -> set[str]:
        """The ``id`` (and ``name``) attributes of a built HTML file."""
        if path not in self._ids:
            collector = _IdCollector()
            collector.feed(path.read_text(encoding="utf-8"))
            self._ids[path] = collector.ids
        return self._ids[path]


class _IdCollector(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if key in ("id", "name") and value:
                self.ids.add(value)


@pytest.fixture(scope="session")
def site(browser: Any, base_url: str, site_dir: Path) -> Site:
    _SITE_FOR_SUMMARY["site"] = Site(browser, base_url, site_dir)
    return _SITE_FOR_SUMMARY["site"]


# --------------------------------------------------------------------------- workers
# With pytest-xdist (`pytest tests/browser -n 4 --dist loadgroup`, for machines
# with more than two cores; scripts/test.sh runs one process, since two Chromiums
# on two cores were slower) each worker has its own server, browser and Site. Every test about one
# page carries the page's xdist group, so that all of them run in the same
# worker and each page is still loaded once. Each worker writes what it saw
# (page weights, screenshots) to ARTIFACTS_DIR; the controller merges the files
# into the summary. Run without -n, the one process does both.
def _worker_id(config: Any) -> str | None:
    workerinput = getattr(config, "workerinput", None)
    return None if workerinput is None else str(workerinput["workerid"])


def pytest_configure(config: Any) -> None:
    if _worker_id(config) is None and ARTIFACTS_DIR.exists():
        shutil.rmtree(ARTIFACTS_DIR)  # once, before any worker starts


def pytest_collection_modifyitems(config: Any, items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        page = callspec.params.get("page") if callspec is not None else None
        item.add_marker(pytest.mark.xdist_group(str(page) if page else "site"))


# --------------------------------------------------------------------------- reporting
@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any):
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    funcargs = getattr(item, "funcargs", {})
    site_obj, page = funcargs.get("site"), funcargs.get("page")
    if isinstance(site_obj, Site) and isinstance(page, str):
        try:
            path = site_obj.screenshot(page, phone="phone" in item.name)
            report.sections.append(("screenshot", str(path)))
            print(f"\nscreenshot of {page}: {path}")
        except Exception as exc:  # a failing screenshot must not hide the failure
            report.sections.append(("screenshot", f"could not be taken: {exc}"))


def _visits_record(site_obj: Site) -> dict[str, Any]:
    pages = {v.page: {"sent": v.transferred_bytes, "uncompressed": v.uncompressed_bytes,
                      "own": v.own_bytes, "files": len(v.resources)}
             for v in site_obj._visits.values()}
    return {"pages": pages, "screenshots": {k: str(p) for k, p in site_obj.screenshots.items()}}


def pytest_sessionfinish(session: pytest.Session) -> None:
    site_obj = _SITE_FOR_SUMMARY.get("site")
    if site_obj is None:
        return
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    name = _worker_id(session.config) or "main"
    (ARTIFACTS_DIR / f"visits-{name}.json").write_text(json.dumps(_visits_record(site_obj)))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _worker_id(terminalreporter.config) is not None:
        return
    pages: dict[str, Any] = {}
    screenshots: dict[str, str] = {}
    for path in sorted(ARTIFACTS_DIR.glob("visits-*.json")) if ARTIFACTS_DIR.exists() else []:
        record = json.loads(path.read_text())
        pages.update(record["pages"])
        screenshots.update(record["screenshots"])
    if not pages:
        return
    tr = terminalreporter
    tr.section("page weight (first visit, gzip as GitHub Pages serves; largest first)")
    tr.write_line(f"{'page':<45} {'sent':>9} {'unzipped':>9} {'own':>9} {'files':>6}")
    ordered = sorted(pages.items(), key=lambda kv: -kv[1]["sent"])
    for page, w in ordered:
        tr.write_line(
            f"{page:<45} {w['sent'] / 1e6:>7.2f}MB {w['uncompressed'] / 1e6:>7.2f}MB"
            f" {w['own'] / 1e6:>7.2f}MB {w['files']:>6}"
        )
    tr.write_line("sent: every response body as transferred; unzipped: the same uncompressed;")
    tr.write_line("own: the page's HTML (with embedded figures/animations) and its images")
    if screenshots:
        tr.section("screenshots (of failing pages; the glossary's is always taken, to look at)")
        for page, path in screenshots.items():
            tr.write_line(f"{page}: {path}")
    summary = {page: {k: w[k] for k in ("sent", "uncompressed", "own")} for page, w in ordered}
    (ARTIFACTS_DIR / "page-weights.json").write_text(json.dumps(summary, indent=1) + "\n")
