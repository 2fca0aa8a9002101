"""Helpers for the browser tests: find Chromium, skip or fail, answer CDN requests offline, open a
page and record what went wrong. The fixtures that use them are in ``conftest.py``."""

from __future__ import annotations

import base64
import functools
import http.server
import io
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
BROWSER_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",  # no calls home: the network is closed
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
INSTALL_HINT = ("Install a browser for these tests: `apt-get install chromium` (Debian/Ubuntu) and "
                "`pip install -r requirements.txt` (Playwright for Python), or set CHROMIUM to the "
                "path of a Chromium or Chrome binary.")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def skip_or_fail(reason: str):
    """Skip locally; fail under CI=true, where a missing prerequisite must not pass silently."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: browser tests never skip)", pytrace=False)
    pytest.skip(reason)


def chromium_path() -> str | None:
    """The browser binary: $CHROMIUM, else `chromium` (Debian) or `chromium-browser` on PATH."""
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # no access log in the test output
        pass


def serve_folder(folder: Path) -> http.server.ThreadingHTTPServer:
    """Serve ``folder`` over HTTP on 127.0.0.1 (a free port) from a daemon thread; ``shutdown()`` it."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def npm_install(spec: str, root: Path) -> Path:
    """Install the npm package ``spec`` ("name@version") under ``root``; return the package's folder.

    Give each package a ``root`` of its own: ``npm install --no-save`` removes what it did not install.
    """
    subprocess.run(["npm", "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(root), spec],
                   check=True, capture_output=True, text=True, timeout=600)
    return root / "node_modules" / spec.rsplit("@", 1)[0]


class Cdn:
    """Answers requests to other hosts: from local folders for known CDN prefixes, else aborts.

    Every aborted URL is recorded in :attr:`blocked`, so a test can tell a page that needs the
    network from one that does not.
    """

    def __init__(self, local_origin: str):
        self.local_origin = local_origin
        self.prefixes: dict[str, Path] = {}
        self.blocked: list[str] = []

    def serve(self, url_prefix: str, folder: Path) -> None:
        """Answer ``url_prefix + path`` with ``folder / path``."""
        self.prefixes[url_prefix] = folder

    def handle(self, route):
        url = route.request.url
        if url.startswith(self.local_origin) or url.startswith("data:"):
            return route.continue_()
        for prefix, folder in self.prefixes.items():
            if url.startswith(prefix):
                path = folder / url[len(prefix):].split("?")[0].split("#")[0]
                if path.is_file():
                    # CORS header: scripts loaded with Subresource Integrity are cross-origin requests.
                    return route.fulfill(path=str(path), headers={"Access-Control-Allow-Origin": "*"})
        self.blocked.append(url)
        return route.abort()


def open_recorded(browser, url: str, cdn: Cdn):
    """Open ``url`` in a new context that reaches only ``cdn``'s local origin and prefixes.

    Returns the context (close it when done), the page, and a record of what went wrong while it
    loaded and afterwards: console errors, uncaught exceptions (``page_errors``), and requests to the
    local origin that failed or answered an HTTP error (``failed``). Requests to other hosts that
    ``cdn`` does not answer are in ``cdn.blocked``.
    """
    context = browser.new_context()
    context.route(re.compile(r".*"), cdn.handle)
    page = context.new_page()
    record = {"console_errors": [], "page_errors": [], "failed": []}
    local = cdn.local_origin
    page.on("console", lambda msg: msg.type == "error" and record["console_errors"].append(
        f"{msg.text} ({msg.location.get('url')})"))
    page.on("pageerror", lambda error: record["page_errors"].append(str(error)))
    page.on("requestfailed", lambda request: request.url.startswith(local) and record["failed"].append(
        f"{request.url}: {request.failure}"))
    page.on("response", lambda response: response.url.startswith(local) and response.status >= 400
            and record["failed"].append(f"{response.url}: HTTP {response.status}"))
    page.goto(url, wait_until="load")
    return context, page, record


# ---- accessibility: axe-core (https://github.com/dequelabs/axe-core) ----

#: The pinned axe-core release, loaded into a page from its jsDelivr address, which the tests answer
#: from the same version installed from npm (:meth:`Cdn.serve`): no page of the book loads it itself.
AXE_VERSION = "4.14.1"
AXE_PREFIX = f"https://cdn.jsdelivr.net/npm/axe-core@{AXE_VERSION}/"
AXE_URL = AXE_PREFIX + "axe.min.js"
#: WCAG 2.0 and 2.1, levels A and AA: what public courses of universities must meet.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: The theme's colour modes (pydata-sphinx-theme keeps the reader's choice in localStorage).
THEMES = ["light", "dark"]

AXE_RUN_JS = """tags => axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
  .then(results => results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html.slice(0, 160),
                              summary: (n.failureSummary || "").replace(/\\s+/g, " ").slice(0, 240)})),
  })))"""


def open_in_theme(browser, url: str, cdn: Cdn, theme: str):
    """Open ``url`` with the book's colour mode set to ``theme`` ("light" or "dark"), as a reader's
    earlier choice with the theme's switch leaves it (localStorage ``mode`` and ``theme``, which
    pydata-sphinx-theme reads before the page is drawn), and the system's preference the same.
    Returns the context (close it) and the page, after checking that ``<html data-theme>`` says so."""
    context = browser.new_context(color_scheme=theme)
    context.add_init_script(f"localStorage.setItem('mode', '{theme}'); localStorage.setItem('theme', '{theme}');")
    context.route(re.compile(r".*"), cdn.handle)
    page = context.new_page()
    page.goto(url, wait_until="load")
    shown = page.evaluate("() => document.documentElement.dataset.theme")
    assert shown == theme, f"{url} shows the {shown} theme, not {theme}"
    return context, page


#: Waits for every animation and transition that ends (not a spinner's endless one) to finish.
ANIMATIONS_DONE_JS = """() => Promise.all(document.getAnimations()
  .filter(a => a.effect && Number.isFinite(a.effect.getComputedTiming().endTime))
  .map(a => a.finished.catch(() => null)))"""


def axe_violations(page) -> list[dict]:
    """Run axe-core (:data:`AXE_URL`, answered by the page's :class:`Cdn`) on ``page`` with the WCAG
    2.0/2.1 A and AA rules, once its animations have finished; return its violations: rule id,
    impact, help, and each node's CSS target, HTML and what failed. (A cell unfolded a moment before
    fades in for 0.3 s; measured during the fade, its text is half transparent and fails the contrast
    rule: 3 pages did so in one CI rehearsal.)"""
    page.evaluate(ANIMATIONS_DONE_JS)
    page.add_script_tag(url=AXE_URL)
    return page.evaluate(AXE_RUN_JS, AXE_TAGS)


def describe_violations(violations, where: str, nodes_shown: int = 3) -> str:
    """One line per rule (id, impact, node count, where) and its first few nodes, for a test's message."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes) on {where}: {v['help']}")
        lines += [f"    {n['target']}: {n['summary']}" for n in v["nodes"][:nodes_shown]]
    return "\n".join(lines)


# ---- the draw-a-digit widget (digitcourse.widget) ----

#: Digits drawn as mouse strokes: each a list of strokes, each a polyline in canvas fractions (x, y).
ARC = np.linspace(0, 2 * np.pi, 40)
DRAWINGS = {
    "1": [[(0.46, 0.3), (0.55, 0.2), (0.55, 0.82)]],
    "7": [[(0.3, 0.22), (0.72, 0.22), (0.45, 0.82)]],
    "0": [list(zip(0.5 + 0.17 * np.sin(ARC), 0.5 - 0.3 * np.cos(ARC)))],
    "4": [[(0.62, 0.82), (0.62, 0.2), (0.3, 0.6), (0.75, 0.6)]],
    "2": [[*zip(0.5 - 0.18 * np.cos(ARC[:18] * 0.6), 0.33 - 0.13 * np.sin(ARC[:18] * 0.6)),
           (0.3, 0.8), (0.74, 0.8)]],
    "3": [[*zip(0.48 + 0.17 * np.sin(ARC[:20] * 0.8), 0.35 - 0.14 * np.cos(ARC[:20] * 0.8)),
           *zip(0.48 + 0.19 * np.sin(ARC[:20] * 0.8), 0.65 - 0.16 * np.cos(ARC[:20] * 0.8))]],
    "1 small, off-centre": [[(0.15, 0.12), (0.17, 0.38)]],
}


def draw(page, root, strokes):
    """Draw ``strokes`` with the mouse on the widget's canvas (fractions of its size)."""
    box = page.locator(f"{root} .dc-canvas").bounding_box()
    for stroke in strokes:
        points = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in stroke]
        page.mouse.move(*points[0])
        page.mouse.down()
        for point in points[1:]:
            page.mouse.move(*point, steps=4)
        page.mouse.up()


def widget_state(page, root):
    return page.evaluate(f"() => document.querySelector('{root}').digitcourse")


def wait_for_prediction(page, root, count):
    page.wait_for_function(f"() => document.querySelector('{root}').digitcourse.predictions >= {count}",
                           timeout=30_000)
    return widget_state(page, root)


def canvas_png(page, root) -> Image.Image:
    url = page.evaluate(f"() => document.querySelector('{root} .dc-canvas').toDataURL('image/png')")
    return Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))


def nearest_shift_difference(page_input, python_input) -> float:
    """The mean absolute difference of two 28 x 28 images, the first shifted by at most one pixel
    each way to match the second best: Python reads an image file at its own working size, the
    widget at the canvas's, so the digit can land one pixel apart."""
    return min(float(np.abs(np.roll(page_input, (dy, dx), axis=(0, 1)) - python_input).mean())
               for dy in (-1, 0, 1) for dx in (-1, 0, 1))
