"""Every page of the built book as a reader with assistive technology meets it: axe-core
(https://github.com/dequelabs/axe-core, the pinned :data:`browsing.AXE_VERSION`) finds no violation
of WCAG 2.0 or 2.1 at levels A and AA, in the light theme and in the dark one.

axe-core is added to each page from its jsDelivr address, answered from npm like the pages' own
libraries. The theme is the one a reader who chose it with the theme's switch gets
(:func:`browsing.open_in_theme`). The page is checked once MathJax has typeset it and the images
have loaded, with everything folded unfolded (hidden code cells, solutions), as a reader who
opens them all would see it.
"""

from __future__ import annotations

import re

import pytest
from browsing import AXE_PREFIX, THEMES, axe_violations, describe_violations, open_in_theme
from test_book import CHAPTERS, IMAGES_JS, PAGES, book_cdn, book_url, visited  # noqa: F401 (fixtures)

#: Chapters whose figures still have no alt text of their own (a cell's ``mystnb: image: alt``
#: metadata), only a caption: Sphinx then writes the image's file path as its alt text, which is
#: what a screen reader reads out. Remove a chapter once its figures are described.
AWAITING_ALT_TEXT: set = set()

#: Opens what is folded: myst-nb's hidden cells (<details>) and sphinx-togglebutton's solutions.
UNFOLD_JS = """() => {
  document.querySelectorAll("details:not([open])").forEach(details => { details.open = true; });
  document.querySelectorAll('button.toggle-button[aria-expanded="false"]').forEach(button => button.click());
  return document.querySelectorAll(".toggle-hidden, details:not([open])").length;
}"""


@pytest.fixture(scope="session")
def axe_cdn(book_cdn, axe_dist):
    """The book's CDN stand-in (MathJax, ONNX Runtime Web) that also answers axe-core's address."""
    def make():
        cdn = book_cdn()
        cdn.serve(AXE_PREFIX, axe_dist)
        return cdn
    return make


@pytest.mark.parametrize("page_name", PAGES)
@pytest.mark.parametrize("theme", THEMES)
def test_page_meets_wcag_21_aa(browser, book_url, axe_cdn, theme, page_name):
    context, page = open_in_theme(browser, book_url + page_name + ".html", axe_cdn(), theme)
    try:
        page.evaluate("() => window.MathJax?.startup?.promise")
        page.evaluate(IMAGES_JS)
        assert page.evaluate(UNFOLD_JS) == 0, "something stayed folded"
        violations = axe_violations(page)
    finally:
        context.close()
    if violations:  # each rule: its id, the page and theme, and its first nodes with what failed
        pytest.fail(describe_violations(violations, f"{page_name} ({theme} theme)"), pytrace=False)


@pytest.mark.parametrize("page_name", [
    pytest.param(name, marks=pytest.mark.xfail(reason="its figures have captions but no alt text yet"))
    if name in AWAITING_ALT_TEXT else name for name in PAGES])
def test_every_image_has_alt_text_that_says_what_it_shows(visited, page_name):
    """WCAG 1.1.1: every image has alt text of its own, not a file name (a caption is read after
    the image, and says what the figure means rather than what it shows)."""
    missing = [image["src"] for image in visited(page_name)["images"]
               if not image["alt"] or re.search(r"\.(png|jpe?g|svg|gif|webp)$", image["alt"], re.I)]
    assert not missing, f"images without alt text: {missing}"
