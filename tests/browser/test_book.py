"""The built book as a reader meets it, in headless Chromium.

Needs the HTML built first (`jupyter-book build .`; `.ci/run` builds it before the tests). The
book's folder is ``_build/html`` or the one named by ``DIGITCOURSE_BOOK_HTML``.
"""

from __future__ import annotations

import functools
import html.parser
import os
import re
import urllib.parse
from pathlib import Path

import pytest
import yaml

from browsing import DRAWINGS, ROOT, Cdn, draw, open_recorded, skip_or_fail, wait_for_prediction

from digitcourse import widget

BOOK = Path(os.environ.get("DIGITCOURSE_BOOK_HTML", ROOT / "_build" / "html"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
PAGES = [TOC["root"]] + [ch["file"] for part in TOC["parts"] for ch in part["chapters"]]
CHAPTERS = [p for p in PAGES if p.startswith("chapters/")]
#: The pinned MathJax the pages load, e.g. https://cdn.jsdelivr.net/npm/mathjax@3.2.2/es5/tex-mml-chtml.js
MATHJAX = re.fullmatch(r"(?P<prefix>https://\S+/mathjax@(?P<version>[\d.]+)/)\S+",
                       CONFIG["sphinx"]["config"]["mathjax_path"])

#: What must never reach a reader's page: TensorFlow's C++ log (absl's or TensorFlow's own line
#: format), Python tracebacks and deprecation warnings.
LOG_NOISE = re.compile(
    r"absl::InitializeLog|oneDNN custom operations|cuda drivers|cuInit|cpu_feature_guard"
    r"|^[IWEF]\d{4} \d\d:\d\d:\d\d\.\d+ +\d+ [\w.]+:\d+\]"
    r"|^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWEF] "
    r"|Traceback \(most recent call last\)|DeprecationWarning|FutureWarning",
    re.MULTILINE,
)
# Glue or references left unresolved, and "((3.1))" ({eq} already puts parentheses around the number).
UNRESOLVED = re.compile(r"\{glue|\?\?|undefined label|\{numref\}|\{ref\}|\{eq\}|\(\(\d+\.\d+\)\)")

TEXT_JS = """element => { const copy = element.cloneNode(true);
  copy.querySelectorAll('script, style').forEach(e => e.remove()); return copy.textContent; }"""
# Waits for every image (lazy ones included) and returns what a reader would get from each.
IMAGES_JS = """async () => {
  const images = Array.from(document.images);
  images.forEach(img => { img.loading = 'eager'; });
  await Promise.all(images.map(img => img.complete ? null :
      new Promise(done => { img.addEventListener('load', done); img.addEventListener('error', done); })));
  return images.map(img => ({
    src: img.getAttribute('src'), loaded: img.complete && img.naturalWidth > 0,
    alt: (img.getAttribute('alt') || '').trim(),
    caption: ((img.closest('figure') || {}).querySelector?.call(img.closest('figure'), 'figcaption')
              || {textContent: ''}).textContent.trim(),
  }));
}"""


@pytest.fixture(scope="session")
def book_url(serve):
    if not (BOOK / "index.html").is_file():
        skip_or_fail(f"The book is not built in {BOOK}: run `jupyter-book build .` first "
                     "(or set DIGITCOURSE_BOOK_HTML to a built book's html folder).")
    return serve(BOOK)


@pytest.fixture(scope="session")
def book_cdn(book_url, npm_package):
    """Answers the pages' requests to other hosts: MathJax and ONNX Runtime Web from npm, the rest blocked."""
    def make():
        cdn = Cdn(book_url)
        cdn.serve(MATHJAX["prefix"], npm_package(f"mathjax@{MATHJAX['version']}"))
        cdn.serve(widget.ORT_URL.rsplit("/", 1)[0] + "/", npm_package(f"onnxruntime-web@{widget.ORT_VERSION}") / "dist")
        return cdn
    return make


@pytest.fixture(scope="session")
def visited(browser, book_url, book_cdn):
    """Each TOC page, opened once: what went wrong while loading it, its images, text and links."""
    cache = {}

    def visit(page_name: str):
        if page_name not in cache:
            cdn = book_cdn()
            context, page, record = open_recorded(browser, book_url + page_name + ".html", cdn)
            record.update(
                blocked=cdn.blocked,
                # Formulas typeset by MathJax once it has finished (-1: MathJax did not start).
                math=page.evaluate("""() => window.MathJax?.startup?.promise
                    ? MathJax.startup.promise.then(() => document.querySelectorAll('mjx-container').length)
                    : -1"""),
                images=page.evaluate(IMAGES_JS),
                # Text as written in the page, collapsed parts included, scripts and styles left out.
                outputs=page.eval_on_selector_all(".cell_output", f"els => els.map({TEXT_JS})"),
                text=page.eval_on_selector("article", TEXT_JS),
                links=page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)"),
            )
            context.close()
            cache[page_name] = record
        return cache[page_name]

    return visit


@pytest.mark.parametrize("page_name", PAGES)
def test_page_loads_without_errors(visited, page_name):
    record = visited(page_name)
    assert not record["page_errors"], f"uncaught JavaScript errors: {record['page_errors']}"
    assert not record["console_errors"], f"console errors: {record['console_errors']}"
    assert not record["failed"], f"failed requests: {record['failed']}"
    assert not record["blocked"], f"requests to other hosts that no test serves: {record['blocked']}"


def test_mathjax_typesets_the_formulas(visited):
    """MathJax (pinned, with Subresource Integrity) loads and renders chapter 3's equations."""
    assert visited("chapters/03_numpy_network")["math"] > 10


@pytest.mark.parametrize("page_name", PAGES)
def test_every_image_loads_and_is_described(visited, page_name):
    images = visited(page_name)["images"]
    broken = [img["src"] for img in images if not img["loaded"]]
    assert not broken, f"images that did not load: {broken}"
    # A file name is not a description (Sphinx puts the path in `alt` when none is given).
    undescribed = [img["src"] for img in images if not img["caption"]
                   and (not img["alt"] or re.search(r"\.(png|jpe?g|svg|gif)$", img["alt"], re.I))]
    assert not undescribed, f"images with neither alt text nor a caption: {undescribed}"


def test_chapters_show_images(visited):
    """The image checks above look at something: every chapter has figures."""
    for name in CHAPTERS:
        assert visited(name)["images"], f"{name} shows no image"


@pytest.mark.parametrize("page_name", PAGES)
def test_outputs_hold_no_log_noise_tracebacks_or_deprecations(visited, page_name):
    noisy = [text.strip()[:300] for text in visited(page_name)["outputs"] if LOG_NOISE.search(text)]
    assert not noisy, f"output blocks a reader should not see: {noisy}"


@pytest.mark.parametrize("page_name", PAGES)
def test_no_unresolved_glue_or_reference(visited, page_name):
    text = visited(page_name)["text"]
    found = sorted({text[max(0, m.start() - 60):m.end() + 60] for m in UNRESOLVED.finditer(text)})
    assert not found, f"unresolved glue or references: {found}"


class _Anchors(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key in ("id", "name") and value:
                self.ids.add(value)


@functools.cache
def anchors_of(path: Path) -> frozenset:
    parser = _Anchors()
    parser.feed(path.read_text(encoding="utf-8"))
    return frozenset(parser.ids)


def test_every_internal_link_resolves(visited, book_url):
    broken = []
    checked = 0
    for page_name in PAGES:
        for link in visited(page_name)["links"]:
            if not link.startswith(book_url):
                continue
            url = urllib.parse.urlsplit(link)
            relative = urllib.parse.unquote(url.path)[1:] or "index.html"
            target = BOOK / relative
            if target.is_dir():
                target = target / "index.html"
            checked += 1
            if not target.is_file():
                broken.append(f"{page_name}: {link} (no file)")
            elif url.fragment and target.suffix == ".html" and (
                    urllib.parse.unquote(url.fragment) not in anchors_of(target)):
                broken.append(f"{page_name}: {link} (no element with that id)")
    assert checked > 100, f"only {checked} internal links found: is the navigation missing?"
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_colab_button_opens_this_chapters_colab_edition(visited, chapter):
    """The button opens the chapter's Colab edition (plain Markdown, written by the build to
    _build/colab/) on the branch that the publishing workflow updates, in the configured repository."""
    repository = urllib.parse.urlsplit(CONFIG["repository"]["url"]).path.strip("/")
    branch = CONFIG["sphinx"]["config"]["digitcourse_colab_branch"]
    expected = f"{CONFIG['launch_buttons']['colab_url']}/github/{repository}/blob/{branch}/{chapter}.ipynb"
    colab = [link for link in visited(chapter)["links"] if link.startswith(CONFIG["launch_buttons"]["colab_url"])]
    assert colab == [expected], f"Colab links on {chapter}: {colab}, expected [{expected}]"
    assert (BOOK.parent / "colab" / f"{chapter}.ipynb").is_file(), f"the build wrote no Colab edition of {chapter}"


def test_search_finds_convolution(browser, book_url, book_cdn):
    context, page, _ = open_recorded(browser, book_url + "search.html?q=convolution", book_cdn())
    page.wait_for_selector("#search-results ul.search li", timeout=30_000)
    hits = page.eval_on_selector_all("#search-results ul.search li a", "els => els.map(a => a.href)")
    context.close()
    assert any("05_cnn" in hit for hit in hits), hits


def test_no_built_page_contains_tensorflow_log_lines():
    """A plain search of every built HTML file (hidden and collapsed outputs included)."""
    if not (BOOK / "index.html").is_file():
        skip_or_fail(f"The book is not built in {BOOK}: run `jupyter-book build .` first.")
    pattern = re.compile(r"absl::InitializeLog|oneDNN custom operations|Could not find cuda drivers|cuInit")
    pages = list(BOOK.rglob("*.html"))
    assert len(pages) > len(PAGES)
    noisy = [str(p.relative_to(BOOK)) for p in pages if pattern.search(p.read_text(encoding="utf-8"))]
    assert not noisy, f"TensorFlow log lines in {noisy}"


def test_the_widget_in_chapter_7_reads_a_one(browser, book_url, book_cdn):
    """The draw-a-digit widget works in the built page, with the model the book embedded."""
    context, page, record = open_recorded(browser, book_url + "chapters/07_handwriting.html", book_cdn())
    root = ".digitcourse-widget"
    assert page.locator(root).count() == 1, "chapter 7 shows no draw-a-digit widget"
    page.locator(root).scroll_into_view_if_needed()
    page.wait_for_function(f"() => document.querySelector('{root}').digitcourse?.ready", timeout=60_000)
    draw(page, root, DRAWINGS["1"])
    state = wait_for_prediction(page, root, 1)
    context.close()
    assert state["top"] == 1, state["probs"]
    assert not record["page_errors"] and not record["console_errors"], record
