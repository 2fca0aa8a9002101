"""Browser fixtures: headless Chromium driven by Playwright, pages served from 127.0.0.1, no network.

Shared by every test that looks at what a reader sees: the built book (``test_book.py``) and the
draw-a-digit widget. The browser is Debian's ``chromium`` package (Playwright's own browser download
is not reachable here); locally, without it, these tests skip and say how to install it; under
``CI=true`` a missing browser fails the run.

Requests to any other host are never sent: a URL of a JavaScript library the pages load from a CDN is
answered from the same, pinned version installed from npm (:func:`npm_package`, :meth:`Cdn.serve`);
everything else is aborted. axe-core, which checks a page's accessibility, is added to the pages the
same way: from its jsDelivr address (:data:`browsing.AXE_URL`), answered from npm (:func:`axe_dist`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from browsing import (AXE_VERSION, BROWSER_ARGS, INSTALL_HINT, Cdn, chromium_path, npm_install, open_recorded,
                      serve_folder, skip_or_fail)


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium for the whole session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail(f"Playwright for Python is not installed. {INSTALL_HINT}")
    executable = chromium_path()
    if executable is None:
        skip_or_fail(f"No Chromium found. {INSTALL_HINT}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def serve():
    """``serve(folder)`` serves a folder over HTTP on 127.0.0.1 and returns its base URL."""
    servers = []

    def start(folder: Path) -> str:
        server = serve_folder(folder)
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def npm_package(tmp_path_factory):
    """``npm_package("name@version")`` installs a pinned npm package once and returns its folder."""
    root = tmp_path_factory.mktemp("npm")
    installed = {}

    def install(spec: str) -> Path:
        if spec not in installed:
            if shutil.which("npm") is None:
                skip_or_fail("npm is needed to serve the pages' JavaScript libraries offline: "
                             "`apt-get install npm` (Debian/Ubuntu).")
            # One folder per package: a second `npm install --no-save` in the same folder removes the first.
            installed[spec] = npm_install(spec, root / spec.replace("/", "_"))
        return installed[spec]

    return install


@pytest.fixture(scope="session")
def axe_dist(npm_package):
    """The pinned axe-core from npm, to answer :data:`browsing.AXE_URL` (``cdn.serve(AXE_PREFIX, axe_dist)``)."""
    return npm_package(f"axe-core@{AXE_VERSION}")


@pytest.fixture
def open_page(browser):
    """``open_page(url, cdn)``: :func:`open_recorded`, with the context closed after the test."""
    contexts = []

    def open_(url: str, cdn: Cdn):
        context, page, record = open_recorded(browser, url, cdn)
        contexts.append(context)
        return page, record

    yield open_
    for context in contexts:
        context.close()
