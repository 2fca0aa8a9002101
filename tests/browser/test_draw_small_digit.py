"""The widget on digits drawn small with its broad pen: the JavaScript thins their strokes as
handwriting.thin_thick_strokes does (the drawings of test_draw_digit.py are too large to need it)."""

from __future__ import annotations

import numpy as np
from browsing import ARC, canvas_png, draw, wait_for_prediction
from test_draw_digit import opened_widget, ort_dist, widget_page  # noqa: F401 (fixtures)

from digitcourse import handwriting as hw

SMALL = {
    "small 0": [list(zip(0.5 + 0.06 * np.sin(ARC), 0.5 - 0.1 * np.cos(ARC)))],
    "small 7, in a corner": [[(0.72, 0.7), (0.86, 0.7), (0.77, 0.9)]],
}


def test_small_drawings_are_thinned_as_python_does(opened_widget):  # noqa: F811
    page, record = opened_widget
    root = ".digitcourse-widget"
    for count, (name, strokes) in enumerate(SMALL.items(), start=1):
        draw(page, root, strokes)
        state = wait_for_prediction(page, root, count)
        png = canvas_png(page, root)
        cropped = hw.widen_thin_strokes(hw.crop_to_ink(hw.level_background(hw.to_grayscale(png))))
        assert hw.stroke_width(cropped) * hw.BOX_SIZE / max(cropped.shape) > hw.MAX_STROKE_WIDTH, name  # thinned
        page_input = np.array(state["input"], dtype=np.float32).reshape(28, 28)
        assert np.abs(page_input - hw.to_mnist(png)).max() <= 1e-4, name
        page.click(f"{root} .dc-clear")
    assert not record["page_errors"] and not record["console_errors"], record
