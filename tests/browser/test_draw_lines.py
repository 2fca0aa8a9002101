"""The widget on notebook paper: its JavaScript removes a page's printed lines as
handwriting.remove_lines does, to float32 rounding, and a photo of a digit on ruled paper, chosen as
a file, is read as Python reads it (a drawing on the canvas rarely holds a ruling to remove)."""

from __future__ import annotations

import numpy as np
import pytest
from browsing import canvas_png, nearest_shift_difference, wait_for_prediction
from test_draw_digit import opened_widget, ort_dist, widget_page  # noqa: F401 (fixtures)

from digitcourse import handwriting as hw
from digitcourse import reading, synthetic

ROOT = ".digitcourse-widget"


def page_remove_lines(page, ink):
    values = page.evaluate(f"([values, w, h]) => document.querySelector('{ROOT}').digitcourse.steps.removeLines(values, w, h)",
                           [ink.ravel().tolist(), ink.shape[1], ink.shape[0]])
    return np.array(values, dtype=np.float32).reshape(ink.shape)


@pytest.mark.parametrize("paper, line_color, ink, size", [
    ("ruled", "blue", "pencil", 400), ("ruled", "black", "ballpoint", 280),
    ("squared", "grey", "ballpoint", 400), ("squared", "blue", "marker", 240), ("plain", "blue", "ballpoint", 400)])
def test_the_widget_removes_lines_as_python_does(opened_widget, mnist, paper, line_color, ink, size):
    page, record = opened_widget
    for index in range(2):
        photo = synthetic.notebook_page(mnist["x_test"][index], np.random.default_rng(index), paper, line_color, ink,
                                        margin=index == 1, size=size)
        ink_image = hw.fix_polarity(hw.to_grayscale(hw.load_image(photo)))[0]
        python = hw.remove_lines(ink_image)
        assert (python is ink_image) == (paper == "plain"), "the test pages must exercise both outcomes"
        difference = np.abs(page_remove_lines(page, ink_image) - python).max()
        assert difference <= 1e-4, (index, difference)
    assert not record["page_errors"] and not record["console_errors"], record


@pytest.mark.parametrize("seed", [6, 11])
def test_the_widget_removes_an_empty_pages_lines_as_python_does(opened_widget, seed):
    """Under light falling off across the page (seed 6: the margin line's tilt is found only once the
    paper's level is taken away) and with a line leaving the page by its top edge (seed 11)."""
    page, record = opened_widget
    photo = synthetic.notebook_page(np.zeros((28, 28), np.uint8), np.random.default_rng(seed), "ruled", "black",
                                    margin=True, shading=True)
    ink_image = hw.fix_polarity(hw.to_grayscale(hw.load_image(photo)))[0]
    python = hw.remove_lines(ink_image)
    assert python is not ink_image
    assert np.abs(page_remove_lines(page, ink_image) - python).max() <= 1e-4
    assert not record["page_errors"] and not record["console_errors"], record


@pytest.mark.parametrize("paper, line_color, index, keystone", [
    ("ruled", "grey", 6, 0.1), ("squared", "blue", 6, 0.1), ("ruled", "blue", 12, 0.15)])
def test_the_widget_removes_a_photographed_pages_fanned_out_lines_as_python_does(opened_widget, mnist, paper,
                                                                               line_color, index, keystone):
    """A page photographed at an angle: perspective fans the lines out, and both open the page at every
    tilt next to the sharpest that is at least half as sharp, and at those of each half of the page."""
    page, record = opened_widget
    photo = synthetic.notebook_page(mnist["x_test"][index], np.random.default_rng(index), paper, line_color, "pencil",
                                    keystone=keystone)
    ink_image = hw.fix_polarity(hw.to_grayscale(hw.load_image(photo)))[0]
    assert max(len(hw._tilts(ink_image)), len(hw._tilts(ink_image.T))) > 1, "the lines must fan out"
    python = hw.remove_lines(ink_image)
    assert python is not ink_image
    assert np.abs(page_remove_lines(page, ink_image) - python).max() <= 1e-4
    assert not record["page_errors"] and not record["console_errors"], record


def test_a_digit_on_ruled_paper_chosen_as_a_file_is_read_as_python_reads_it(opened_widget, mnist, cnn, tmp_path):
    page, record = opened_widget
    # A ballpoint digit on blue-ruled paper with a margin line, under light falling off across the page.
    index = 0
    photo = synthetic.notebook_page(mnist["x_test"][index], np.random.default_rng(index), "ruled", "blue", "ballpoint",
                                    margin=True)
    path = tmp_path / "ruled.png"
    from PIL import Image

    Image.fromarray(photo).save(path)
    digit = int(mnist["y_test"][index])
    assert reading.predict(cnn, path, top=1)[0][0] == digit
    page.set_input_files(f"{ROOT} .dc-file", path)
    state = wait_for_prediction(page, ROOT, 1)
    assert state["top"] == digit, state["probs"]
    page_input = np.array(state["input"], dtype=np.float32).reshape(28, 28)
    assert np.abs(page_input - hw.to_mnist(canvas_png(page, ROOT))).max() <= 1e-4
    # What Python makes of the file itself (at its own working size), up to a one-pixel shift.
    python_input = hw.to_mnist(path)
    nearest = nearest_shift_difference(page_input, python_input)
    assert nearest < 0.05, nearest
    assert not record["page_errors"] and not record["console_errors"], record
