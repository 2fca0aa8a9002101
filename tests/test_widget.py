"""The widget's model and HTML, without a browser (tests/browser/test_draw_digit.py draws in one)."""

import re

import numpy as np
import pytest

import digitcourse as dc
from digitcourse import widget


def test_onnx_runtime_computes_what_keras_computes(cnn, mnist):
    import onnxruntime

    onnx_bytes = widget.export_onnx(cnn)
    session = onnxruntime.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
    images = dc.preprocess.add_channel_axis(dc.preprocess.normalize(mnist["x_test"][:500]))
    onnx_probs = session.run(None, {session.get_inputs()[0].name: images})[0]
    keras_probs = cnn.predict(images, verbose=0)
    np.testing.assert_allclose(onnx_probs, keras_probs, atol=1e-5)
    assert (onnx_probs.argmax(axis=1) == mnist["y_test"][:500]).mean() > 0.9


def test_widget_html_loads_the_pinned_runtime_with_integrity_and_embeds_the_model(cnn):
    page = widget.draw_digit(cnn).data
    assert len(page.encode()) <= 2 * 2**20
    assert f"onnxruntime-web@{widget.ORT_VERSION}/" in widget.ORT_URL
    assert re.fullmatch(r"sha384-[A-Za-z0-9+/]{64}", widget.ORT_INTEGRITY)
    assert widget.ORT_URL in page and widget.ORT_INTEGRITY in page
    assert '"inputShape": [1, 28, 28, 1]' in page
    assert len(re.findall(r'id="(digitcourse-widget-\w+)"', page)) == 1
    assert widget.draw_digit(cnn).data != page, "two widgets on one page need different ids"


def test_widget_refuses_what_it_cannot_show(cnn):
    import keras

    with pytest.raises(TypeError, match="NumPy network cannot be exported"):
        widget.draw_digit({"W1": np.zeros((784, 10))})
    wrong_input = keras.Sequential([keras.Input((32, 32, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
    with pytest.raises(ValueError, match=r"this model expects \(32, 32, 1\)"):
        widget.draw_digit(wrong_input)
    wrong_output = keras.Sequential([keras.Input((784,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="outputs"):
        widget.draw_digit(wrong_output)
    with pytest.raises(ValueError, match=r"threshold is a probability, in \[0, 1\]; got 99"):
        widget.draw_digit(cnn, threshold=99)


def test_every_control_is_a_labelled_button_or_input():
    """From the keyboard: Clear and Predict are buttons, the alternative to drawing is a file input
    inside its label, and the result is announced (a live status line). The browser test uses them."""
    page = widget.widget_html(b"an ONNX model", (1, 28, 28, 1))
    assert '<button type="button" class="dc-clear">Clear</button>' in page
    assert '<button type="button" class="dc-predict">Predict</button>' in page
    assert re.search(r'<label class="dc-file-label">Choose an image file of one digit\s*'
                     r'<input type="file" class="dc-file" accept="image/\*"></label>', page)
    assert '<span class="dc-status" role="status">' in page
    assert re.search(r'<canvas class="dc-canvas"[^>]*role="img"[^>]*aria-label="[^"]*choose an image file"', page)
