"""The draw-a-digit widget in headless Chromium: mouse strokes in, the same answer as Python out;
from the keyboard, an image file in, read as Python reads it; no WCAG 2.1 A/AA violation (axe-core).

ONNX Runtime Web comes from npm (the pinned version), served in place of the CDN; the model is
chapter 5's CNN in the current mode (the `cnn` fixture of tests/conftest.py).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage as ndi
from browsing import (AXE_PREFIX, DRAWINGS, Cdn, axe_violations, canvas_png, describe_violations, draw,
                      nearest_shift_difference, wait_for_prediction, widget_state)
from PIL import Image, ImageDraw

from digitcourse import handwriting as hw
from digitcourse import reading, widget


#: The widget's "not sure" threshold in these tests: high enough that some drawings fall below it.
THRESHOLD = 0.99


@pytest.fixture(scope="session")
def ort_dist(npm_package):
    return npm_package(f"onnxruntime-web@{widget.ORT_VERSION}") / "dist"


@pytest.fixture(scope="session")
def widget_page(cnn, tmp_path_factory, serve):
    folder = tmp_path_factory.mktemp("widget")
    html = widget.draw_digit(cnn, threshold=THRESHOLD).data
    page = (f"<!doctype html><html lang='en'><meta charset='utf-8'><title>Draw a digit</title>"
            f"<body><main>{html}</main></body></html>")
    (folder / "index.html").write_text(page, encoding="utf-8")
    return serve(folder) + "index.html", len(html.encode())


def cdn_for(base_url, ort_dist, axe_dist=None):
    cdn = Cdn(base_url)
    cdn.serve(widget.ORT_URL.rsplit("/", 1)[0] + "/", ort_dist)
    if axe_dist is not None:
        cdn.serve(AXE_PREFIX, axe_dist)
    return cdn


@pytest.fixture
def opened_widget(widget_page, ort_dist, axe_dist, open_page):
    url, _ = widget_page
    page, record = open_page(url, cdn_for(url.rsplit("/", 1)[0] + "/", ort_dist, axe_dist))
    page.wait_for_function("() => document.querySelector('.digitcourse-widget').digitcourse?.ready", timeout=60_000)
    return page, record


def test_the_widget_reads_drawings_as_python_does(opened_widget, cnn):
    page, record = opened_widget
    root = ".digitcourse-widget"
    differences, sure = {}, {}
    for count, (name, strokes) in enumerate(DRAWINGS.items(), start=1):
        draw(page, root, strokes)
        state = wait_for_prediction(page, root, count)
        png = canvas_png(page, root)
        page_input = np.array(state["input"], dtype=np.float32).reshape(28, 28)
        python_input = hw.to_mnist(png)
        differences[name] = float(np.abs(page_input - python_input).max())
        # The JavaScript mirrors every step exactly: only float rounding may differ (the issue's
        # budget, a mean absolute difference of 0.05, would hide a skipped step).
        assert differences[name] <= 1e-4, (name, differences)
        assert state["top"] == reading.predict(cnn, png, top=1)[0][0], name
        python_sure = reading.predict(cnn, png, top=1)[0][1] >= THRESHOLD  # as reading.show_prediction decides
        status = page.text_content(f"{root} .dc-status")
        assert state["sure"] == python_sure and status.startswith("It reads" if python_sure else "Not sure"), (name, status)
        sure[name] = python_sure
        assert sum(state["probs"]) == pytest.approx(1, abs=1e-5)
        page.click(f"{root} .dc-clear")
        cleared = widget_state(page, root)
        assert cleared["input"] is None and cleared["probs"] is None and cleared["top"] is None
        assert hw.to_grayscale(canvas_png(page, root)).max() == 0, "Clear left ink on the canvas"
        bars = page.eval_on_selector_all(f"{root} .dc-bar", "els => els.map(e => e.style.width)")
        assert bars == ["0%"] * 10
    print("largest |page - to_mnist| per drawing:", {k: f"{v:.1e}" for k, v in differences.items()})
    print(f"sure at {THRESHOLD:.0%}:", sure)
    assert not record["page_errors"] and not record["console_errors"], record
    assert not record["failed"], record["failed"]


def test_the_widget_reads_a_one(opened_widget):
    page, _ = opened_widget
    draw(page, ".digitcourse-widget", DRAWINGS["1"])
    assert wait_for_prediction(page, ".digitcourse-widget", 1)["top"] == 1


def test_the_widget_weighs_at_most_two_megabytes(widget_page):
    assert widget_page[1] <= 2 * 2**20, f"{widget_page[1] / 2**20:.2f} MB"


def ink_on_paper(path, strokes, size=(640, 440), pen=30):
    """A digit written in dark ink on white paper, in a landscape image larger than the canvas, saved
    as a PNG: what a reader who cannot draw with a pointer might choose instead. ``strokes`` are in
    fractions of the square in the image's middle, as DRAWINGS are of the canvas."""
    image = Image.new("RGB", size, (250, 248, 240))
    ink = ImageDraw.Draw(image)
    side = min(size)
    left, top = (size[0] - side) / 2, (size[1] - side) / 2
    for stroke in strokes:
        points = [(left + x * side, top + y * side) for x, y in stroke]
        ink.line(points, fill=(25, 30, 60), width=pen, joint="curve")
        for x, y in (points[0], points[-1]):
            ink.ellipse((x - pen / 2, y - pen / 2, x + pen / 2, y + pen / 2), fill=(25, 30, 60))
    image.save(path)
    return path


def tab_stops(page, count=12):
    """The widget's controls that Tab reaches, in order: (class, accessible name) of each."""
    page.locator("body").focus()
    stops = []
    for _ in range(count):
        page.keyboard.press("Tab")
        stops.append(page.evaluate("""() => { const e = document.activeElement;
            if (!e || !e.closest('.digitcourse-widget')) return null;
            return [e.className, (e.labels?.[0] || e).textContent.trim()]; }"""))
    return [tuple(stop) for stop in stops if stop]


def test_from_the_keyboard_a_chosen_image_file_is_read_as_python_reads_it(opened_widget, cnn, tmp_path):
    page, record = opened_widget
    root = ".digitcourse-widget"
    # Playwright turns on its interception of file dialogs without waiting for Chromium's reply when
    # a test first waits for one; a listener from the start makes sure the first dialog is caught.
    page.on("filechooser", lambda chooser: None)
    stops = tab_stops(page)
    assert [cls for cls, _ in stops[:3]] == ["dc-clear", "dc-predict", "dc-file"], stops
    assert [name for _, name in stops[:3]] == ["Clear", "Predict", "Choose an image file of one digit"], stops
    for count, digit in enumerate(["7", "4"], start=1):
        path = ink_on_paper(tmp_path / f"{digit}.png", DRAWINGS[digit])
        page.locator(f"{root} .dc-file").focus()
        with page.expect_file_chooser() as chooser:
            page.keyboard.press("Space")  # the reader opens the file dialog from the keyboard
        chooser.value.set_files(path)
        state = wait_for_prediction(page, root, count)
        assert state["top"] == int(digit), (digit, state["probs"])
        assert state["top"] == reading.predict(cnn, path, top=1)[0][0], digit
        # The canvas now holds the image as light ink on black; from there the same steps as a drawing.
        page_input = np.array(state["input"], dtype=np.float32).reshape(28, 28)
        assert np.abs(page_input - hw.to_mnist(canvas_png(page, root))).max() <= 1e-4, digit
        # And what Python makes of the file itself, up to a one-pixel shift (it resizes the image to a
        # different working size first), within a mean absolute difference of 0.05.
        python_input = hw.to_mnist(path)
        nearest = nearest_shift_difference(page_input, python_input)
        assert nearest < 0.05, (digit, nearest)
        status = page.locator(f"{root} .dc-status").text_content()
        assert status.startswith(f"It reads {digit} ("), status
    page.locator(f"{root} .dc-predict").focus()
    page.keyboard.press("Enter")  # Predict reads the canvas again
    assert wait_for_prediction(page, root, 3)["top"] == 4
    page.locator(f"{root} .dc-clear").focus()
    page.keyboard.press("Enter")
    cleared = widget_state(page, root)
    assert cleared["input"] is None and cleared["top"] is None
    assert page.locator(f"{root} .dc-file").input_value() == "", "Clear left the chosen file in place"
    assert not record["page_errors"] and not record["console_errors"], record


def test_a_bold_one_filling_its_binarized_scan_chosen_as_a_file_is_read_as_python_reads_it(opened_widget, mnist,
                                                                                              tmp_path):
    """Black on white, its ink most of the image and half of the border: the corners tell the paper."""
    page, record = opened_widget
    root = ".digitcourse-widget"
    bold = ndi.binary_dilation(mnist["x_test"][37] > 127, iterations=2)  # a 1
    rows, cols = np.nonzero(bold)
    tight = bold[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    path = tmp_path / "bold-one.png"
    Image.fromarray(np.where(np.kron(tight, np.ones((4, 4), bool)), 0, 255).astype(np.uint8)).save(path)
    page.set_input_files(f"{root} .dc-file", path)
    page_input = np.array(wait_for_prediction(page, root, 1)["input"], dtype=np.float32).reshape(28, 28)
    assert np.abs(page_input - hw.to_mnist(canvas_png(page, root))).max() <= 1e-4
    python_input = hw.to_mnist(path)
    nearest = nearest_shift_difference(page_input, python_input)
    assert nearest < 0.05, nearest
    assert not record["page_errors"] and not record["console_errors"], record


def test_the_widget_meets_wcag_21_aa(opened_widget):
    """axe-core finds no WCAG 2.0/2.1 A or AA violation in the widget, before and after a drawing."""
    page, _ = opened_widget
    assert not (violations := axe_violations(page)), describe_violations(violations, "the widget")
    draw(page, ".digitcourse-widget", DRAWINGS["1"])
    wait_for_prediction(page, ".digitcourse-widget", 1)
    assert not (violations := axe_violations(page)), describe_violations(violations, "the widget, after a drawing")
