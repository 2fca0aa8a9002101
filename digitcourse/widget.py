"""Draw a digit and watch the course's network read it, live in the page (chapter 7).

:func:`draw_digit` returns a small HTML page fragment: a canvas to draw on (mouse, pen or touch),
the 28 x 28 image the network receives, and a bar chart of its ten probabilities, updated at every
pen-up. From the keyboard, or without a pointer, the reader chooses an image file of a digit instead
("Choose an image file"): it is drawn on the canvas as light ink on black and read the same way.
Every control (Clear, Predict, the file chooser) is a labelled button or input, reachable with Tab,
and the result is announced in a live status line. The network runs in the reader's browser with
ONNX Runtime Web (https://onnxruntime.ai/docs/tutorials/web/): the model is exported to ONNX by Keras
(``model.export(..., format="onnx")``, which uses tf2onnx) and embedded in the fragment as base64,
so the page needs no Python kernel and no extra file. It works in the static HTML book (opened over
``file://`` or from any web server), in Jupyter and in Google Colab.

The drawing is preprocessed in JavaScript (``widget.js`` beside this file) by the same steps as
:func:`digitcourse.handwriting.to_mnist`; the tests hold the two to the same 28 x 28 image. A chosen
image file is first made what a drawing is (grey light ink on the black canvas) by the steps of
``to_mnist`` that a drawing does not need: ``to_grayscale``, ``fix_polarity``, ``remove_lines``
(a notebook's ruling; the tests hold the JavaScript to Python's result on generated pages) and, in
place of ``subtract_background``, the removal of the background's median level (its darkest level if
the image is two-level, as ``_two_level`` decides); a photo with uneven light reads better with
``to_mnist`` itself.

Offline use: the page loads ONNX Runtime Web (version :data:`ORT_VERSION`, checked with Subresource
Integrity) and its WebAssembly file from the jsDelivr CDN once; the browser caches them. Without
network access, serve the ``dist`` folder of the npm package ``onnxruntime-web@ORT_VERSION`` yourself
and pass its URL as ``ort_url``.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import tempfile
import uuid
import warnings
from pathlib import Path

import numpy as np

from digitcourse import quiet

#: The pinned ONNX Runtime Web release (npm package ``onnxruntime-web``), its WebAssembly-only
#: build on the jsDelivr CDN, and the SHA-384 of that file (Subresource Integrity).
ORT_VERSION = "1.30.0"
ORT_URL = f"https://cdn.jsdelivr.net/npm/onnxruntime-web@{ORT_VERSION}/dist/ort.wasm.min.js"
ORT_INTEGRITY = "sha384-Bw6URI+Gvoadw0do7/QrSHUC9D1vCYYK5OSqChFyhyV5mzPL4oe2rOAFljAnS8Sq"
#: Width of the pen on the 280 x 280 canvas (pixels); widen_thin_strokes evens out the rest.
PEN_WIDTH = 18
CANVAS_SIZE = 280


def _check_keras_model(model) -> None:
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"expected a Keras model (chapter 4's MLP or chapter 5's CNN), got {type(model).__name__}; "
                        "chapter 3's NumPy network cannot be exported to ONNX.")


def export_onnx(model) -> bytes:
    """Export a Keras model to ONNX and return the file's bytes.

    Uses Keras 3's ``model.export(path, format="onnx")`` (tf2onnx underneath). A model loaded from
    disk has no traced call yet, so it is called once on zeros first. What the export prints is
    kept out of the page: Keras' "Saved artifact at ..." on standard output, and the INFO lines
    that TensorFlow's graph optimizer logs below Python (:func:`digitcourse.quiet.tensorflow_log`).

    Parameters
    ----------
    model : keras.Model
        A model whose input is one image, shaped (28, 28, 1) or (784,), float32 in [0, 1].

    Returns
    -------
    bytes
        The ONNX model (about 0.9 MB for chapter 5's CNN).

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model (the NumPy network of chapter 3 cannot be exported).
    """
    _check_keras_model(model)
    model(np.zeros((1, *model.input_shape[1:]), dtype=np.float32))
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings(), quiet.tensorflow_log(), \
            contextlib.redirect_stdout(io.StringIO()):  # Keras prints "Saved artifact at ..."
        # Raised inside Keras' bundled tf2onnx adapter by a NumPy 2 compatibility check, not by us.
        warnings.filterwarnings("ignore", message="In the future `np.object`", category=FutureWarning)
        path = Path(folder) / "model.onnx"
        model.export(str(path), format="onnx")
        return path.read_bytes()


def draw_digit(model, threshold: float = 0.0, ort_url: str = ORT_URL, ort_integrity: str | None = ORT_INTEGRITY):
    """A canvas where the reader draws a digit and ``model`` reads it, in the browser.

    Parameters
    ----------
    model : keras.Model
        Chapter 5's CNN (input (28, 28, 1)) or chapter 4's MLP (input (784,)), outputs ten
        probabilities (a softmax layer last).
    threshold : float in [0, 1]
        Below this highest probability the widget answers "not sure" rather than a digit, as
        :func:`digitcourse.reading.show_prediction` does (chapter 7 chooses it on validation data).
    ort_url : str
        Where the page loads ONNX Runtime Web from; its WebAssembly files are fetched from the same
        folder. Default: the pinned release on jsDelivr (:data:`ORT_URL`).
    ort_integrity : str or None
        Subresource Integrity hash of ``ort_url`` (``None`` to skip the check for a copy of your own).

    Returns
    -------
    IPython.display.HTML
        Shown by Jupyter, Colab and the book; ``.data`` is the HTML (about 1.3 MB for the CNN,
        most of it the model in base64).

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model.
    ValueError
        If the model's input is not one 28 x 28 image or its output not ten classes, or
        ``threshold`` is outside [0, 1].
    """
    from IPython.display import HTML

    if not 0 <= threshold <= 1:
        raise ValueError(f"threshold is a probability, in [0, 1]; got {threshold}.")
    _check_keras_model(model)
    input_shape = tuple(model.input_shape[1:])
    if input_shape not in ((28, 28, 1), (784,)):
        raise ValueError(f"the widget feeds one 28 x 28 image, shaped (28, 28, 1) or (784,); "
                         f"this model expects {input_shape}.")
    if tuple(model.output_shape[1:]) != (10,):
        raise ValueError(f"the widget shows ten probabilities; this model outputs {model.output_shape[1:]}.")
    return HTML(widget_html(export_onnx(model), (1, *input_shape), ort_url, ort_integrity, float(threshold)))


def widget_html(onnx_bytes: bytes, input_shape, ort_url: str = ORT_URL,
                ort_integrity: str | None = ORT_INTEGRITY, threshold: float = 0.0) -> str:
    """The widget's HTML for an ONNX model given as bytes (:func:`draw_digit` without Keras).

    ``input_shape`` is the model's input with its batch axis, ``(1, 28, 28, 1)`` or ``(1, 784)``.
    """
    widget_id = f"digitcourse-widget-{uuid.uuid4().hex[:12]}"
    config = {"ortUrl": ort_url, "ortIntegrity": ort_integrity or "", "inputShape": list(input_shape),
              "penWidth": PEN_WIDTH, "threshold": threshold}
    config_json = json.dumps(config).replace("</", "<\\/")  # cannot close the <script> early
    script = Path(__file__).with_name("widget.js").read_text(encoding="utf-8").replace("__WIDGET_ID__", widget_id)
    rows = "\n".join(
        f'<div class="dc-row"><span>{digit}</span><div class="dc-track"><div class="dc-bar"></div></div></div>'
        for digit in range(10))
    return f"""<div id="{widget_id}" class="digitcourse-widget">
<style>
/* Its own text, background and controls' colours: readable (contrast 4.5:1 or more) on a dark page too. */
#{widget_id} {{ display: flex; flex-wrap: wrap; gap: 1.5em; align-items: flex-start; font-family: sans-serif;
  color: #1f2328; background: #fff; color-scheme: light; padding: 0.75em; border-radius: 8px; }}
#{widget_id} figcaption {{ color: inherit; }}
#{widget_id} .dc-canvas {{ width: {CANVAS_SIZE}px; height: {CANVAS_SIZE}px; background: #000; touch-action: none;
  cursor: crosshair; border-radius: 6px; display: block; }}
#{widget_id} .dc-input {{ width: 112px; height: 112px; image-rendering: pixelated; background: #000; display: block; }}
#{widget_id} figure {{ margin: 0; }}
#{widget_id} figcaption, #{widget_id} .dc-status {{ font-size: 0.85em; margin-top: 0.4em; }}
#{widget_id} .dc-controls {{ display: flex; flex-wrap: wrap; gap: 0.5em; align-items: center; }}
#{widget_id} .dc-file-label {{ display: block; margin-top: 0.4em; }}
#{widget_id} .dc-file {{ display: block; margin-top: 0.2em; max-width: {CANVAS_SIZE}px; }}
#{widget_id} .dc-status {{ display: block; }}
#{widget_id} .dc-row {{ display: flex; align-items: center; gap: 0.5em; width: 220px; height: 1.4em; }}
#{widget_id} .dc-track {{ flex: 1; background: #eee; height: 0.9em; border-radius: 3px; }}
#{widget_id} .dc-bar {{ background: #7a8fa6; height: 100%; width: 0%; border-radius: 3px; }}
#{widget_id} .dc-top .dc-bar {{ background: #1f6feb; }}
#{widget_id} .dc-top span {{ font-weight: bold; }}
</style>
<figure>
  <canvas class="dc-canvas" width="{CANVAS_SIZE}" height="{CANVAS_SIZE}" role="img"
    aria-label="Drawing area: draw one digit with the mouse, a pen or a finger, or choose an image file"></canvas>
  <figcaption><div class="dc-controls"><button type="button" class="dc-clear">Clear</button>
    <button type="button" class="dc-predict">Predict</button></div>
    <label class="dc-file-label">Choose an image file of one digit
      <input type="file" class="dc-file" accept="image/*"></label>
    <span class="dc-status" role="status">Loading the network…</span></figcaption>
</figure>
<figure>
  <canvas class="dc-input" width="28" height="28" role="img"
    aria-label="The 28 by 28 image the network receives"></canvas>
  <figcaption>What the network sees<br>(28 × 28)</figcaption>
</figure>
<figure>
  <div class="dc-bars">{rows}</div>
  <figcaption>Probability of each digit</figcaption>
</figure>
<script type="application/json" class="dc-config">{config_json}</script>
<script type="application/octet-stream" class="dc-model">{base64.b64encode(onnx_bytes).decode("ascii")}</script>
<script>
{script}
</script>
</div>"""
