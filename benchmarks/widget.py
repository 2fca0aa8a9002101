"""Measure the draw-a-digit widget in headless Chromium: page weight, start-up, prediction time, parity.

Usage: python benchmarks/widget.py   (DIGITCOURSE_MNIST for a local MNIST; DIGITCOURSE_QUICK=1 for the
quick-mode CNN). Needs Debian's `chromium`, npm and the packages of requirements.txt.

The widget for chapter 5's CNN (loaded from DIGITCOURSE_MODELS, or trained) is opened from a local
server, with onnxruntime-web served from npm in place of the CDN. The script draws the test suite's
digits with the mouse and prints:
- the widget's size in the page (the budget is 2 MB);
- the time from the library having loaded to the network being ready (WebAssembly compiled, model
  parsed), and each prediction's time (preprocessing + inference, from pen-up), in milliseconds:
  the budget for the first prediction is 1 s after the library has loaded;
- the largest difference between the page's 28 x 28 input and `handwriting.to_mnist` of the canvas's
  PNG, and whether the page's answer equals `reading.predict`'s.
"""

import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

import numpy as np  # noqa: E402
from browsing import (BROWSER_ARGS, DRAWINGS, Cdn, canvas_png, chromium_path, draw,  # noqa: E402
                      npm_install, open_recorded, serve_folder, wait_for_prediction)
from playwright.sync_api import sync_playwright  # noqa: E402

import digitcourse as dc  # noqa: E402
from digitcourse import handwriting as hw  # noqa: E402
from digitcourse import reading, widget, zoo  # noqa: E402


def main():
    model = zoo.load_or_train("cnn", dc.load_splits())[0]
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        npm_install(f"onnxruntime-web@{widget.ORT_VERSION}", folder / "npm")
        server = serve_folder(folder)
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        for where in ("cdn", "local"):
            # "cdn": the page as readers get it, the CDN's files answered by the test browser's request
            # interception (which adds its own overhead to the 14 MB WebAssembly file); "local": the
            # same files from the page's own server, as a web server or a browser cache gives them.
            if where == "cdn":
                html = widget.draw_digit(model).data
            else:
                local = base + "npm/node_modules/onnxruntime-web/dist/ort.wasm.min.js"
                html = widget.draw_digit(model, ort_url=local).data
            (folder / "index.html").write_text(f"<!doctype html><meta charset='utf-8'><body>{html}</body>",
                                               encoding="utf-8")
            measure(model, html, base, folder, where)
        server.shutdown()


def measure(model, html, base, folder, where):
    cdn = Cdn(base)
    cdn.serve(widget.ORT_URL.rsplit("/", 1)[0] + "/", folder / "npm" / "node_modules" / "onnxruntime-web" / "dist")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=BROWSER_ARGS)
        context, page, record = open_recorded(browser, base + "index.html", cdn)
        root = ".digitcourse-widget"
        page.wait_for_function(f"() => document.querySelector('{root}').digitcourse?.ready", timeout=60_000)
        rows = []
        for count, (name, strokes) in enumerate(DRAWINGS.items(), start=1):
            draw(page, root, strokes)
            state = wait_for_prediction(page, root, count)
            png = canvas_png(page, root)
            difference = np.abs(np.reshape(state["input"], (28, 28)) - hw.to_mnist(png)).max()
            rows.append((name, state["top"], reading.predict(model, png, top=1)[0][0], difference,
                         state["timings"]["prediction"]))
            page.click(f"{root} .dc-clear")
        timings = state["timings"]
        context.close()
        browser.close()
    print(f"== onnxruntime-web from the {where} ==")
    print(f"mode: {dc.current_mode().name}; onnxruntime-web {widget.ORT_VERSION}; {len(DRAWINGS)} drawings")
    print(f"widget size in the page: {len(html.encode()) / 2**20:.2f} MB (budget 2 MB)")
    print(f"library loaded -> network ready: {timings['ready'] - timings['libraryLoaded']:.0f} ms")
    print(f"{'drawing':<22} {'page':>4} {'python':>6} {'max |diff|':>10} {'prediction ms':>13}")
    for name, page_top, python_top, difference, milliseconds in rows:
        print(f"{name:<22} {page_top:>4} {python_top:>6} {difference:>10.1e} {milliseconds:>13.0f}")
    first = timings["ready"] - timings["libraryLoaded"] + rows[0][4]
    print(f"first prediction after the library loaded: {first:.0f} ms (budget 1000 ms); "
          f"median prediction {statistics.median(r[4] for r in rows):.0f} ms")
    if record["page_errors"] or record["console_errors"]:
        print("page errors:", record["page_errors"], record["console_errors"])


if __name__ == "__main__":
    main()
