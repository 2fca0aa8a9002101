"""Keep TensorFlow's start-up log, and its warning about retracing, out of the reader's page, and nothing else.

When TensorFlow is imported, its C++ core writes a dozen lines straight to the process's standard
error (file descriptor 2), below Python: absl's ``WARNING: All log messages before
absl::InitializeLog() is called are written to STDERR``, oneDNN's note on round-off, the CUDA
probe's ``Could not find cuda drivers`` and, at the first use of a device, ``failed call to
cuInit``. Jupyter forwards that descriptor into the notebook, so they land in the first cell that
imports Keras. TensorFlow 2.17 and later print them whatever ``TF_CPP_MIN_LOG_LEVEL`` says
(tensorflow/tensorflow#100442), so an environment variable alone cannot silence them.

:func:`install` (called when ``digitcourse`` is imported) therefore wraps the first import of
``tensorflow``, whoever asks for it (``import keras`` does): during that import, and the device
probe that follows it, descriptor 2 is redirected to a temporary file; afterwards every captured
line that is not one of TensorFlow's known start-up messages (:data:`STARTUP_NOISE`) is written
back to ``sys.stderr``. Anything else TensorFlow says, and every Python warning or exception, is
shown as usual. It also sets ``TF_CPP_MIN_LOG_LEVEL=1`` unless already set, which hides TensorFlow's
INFO messages (not its warnings or errors) for the rest of the session.

It does not hide them all: since TensorFlow 2.17 its C++ code logs through absl, which ignores that
variable too. Later calls print such lines straight to descriptor 2: Keras' ONNX export, for one,
runs TensorFlow's graph optimizer (Grappler), which logs ``I0000 ... devices.cc:67] Number of
eligible GPUs`` and ``single_machine.cc:376] Starting new session`` at every export (with
TensorFlow 2.20, as in Google Colab), preceded by absl's ``WARNING: All log messages before
absl::InitializeLog() is called ...`` the first time. :func:`tensorflow_log` keeps them out of the
page around such a call (:func:`digitcourse.widget.export_onnx` uses it): INFO lines in absl's
format are dropped, as ``TF_CPP_MIN_LOG_LEVEL=1`` promises (unless it is set to ``0``), with the
start-up noise above; TensorFlow's warnings and errors, and anything else, are shown.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import tempfile

from digitcourse import hooks

#: TensorFlow's start-up messages on a machine without a GPU (and the plugin registrations seen on
#: one with a GPU). Matched against each captured line; everything else is shown.
STARTUP_NOISE = re.compile(
    r"All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|oneDNN custom operations are on"
    r"|Could not find cuda drivers on your machine"
    r"|failed call to cuInit"
    r"|cpu_feature_guard\.cc"
    r"|^To enable the following instructions: .* rebuild TensorFlow with the appropriate compiler flags"
    r"|Unable to register cu(DNN|FFT|BLAS) factory"
    r"|computation placer already registered"
)


#: An INFO line of TensorFlow's C++ log, in absl's format: ``I0000 00:00:1796550525.251919   13484
#: devices.cc:67] Number of eligible GPUs ...``: severity and date (MMDD), time (before absl is
#: initialized, hours and minutes 00 and the seconds since 1970), thread, ``file:line]``.
INFO_LINE = re.compile(r"^I\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [\w.-]+:\d+\] ")


def filter_startup_noise(text: str) -> str:
    """Return ``text`` without the lines that match :data:`STARTUP_NOISE` (line endings kept)."""
    return "".join(line for line in text.splitlines(keepends=True) if not STARTUP_NOISE.search(line))


def filter_log_noise(text: str) -> str:
    """Return ``text`` without TensorFlow's start-up noise and the INFO lines of its C++ log.

    Parameters
    ----------
    text : str
        What TensorFlow's C++ code wrote to descriptor 2, lines ending in ``"\\n"``.

    Returns
    -------
    str
        ``text`` without the lines that match :data:`STARTUP_NOISE`, nor, unless the environment
        variable ``TF_CPP_MIN_LOG_LEVEL`` is ``"0"`` (show INFO), those that match :data:`INFO_LINE`;
        line endings kept. Warnings (``W...``), errors (``E...``) and everything else stay.
    """
    show_info = os.environ.get("TF_CPP_MIN_LOG_LEVEL") == "0"
    return "".join(line for line in text.splitlines(keepends=True)
                   if not STARTUP_NOISE.search(line) and (show_info or not INFO_LINE.search(line)))


@contextlib.contextmanager
def tensorflow_log(keep=filter_log_noise):
    """Capture descriptor 2 while the block runs, then write back to ``sys.stderr`` what ``keep`` keeps.

    For a TensorFlow call whose C++ code logs below Python, where neither ``TF_CPP_MIN_LOG_LEVEL``
    nor Jupyter can filter it (Keras' ONNX export, :func:`digitcourse.widget.export_onnx`). Python's
    own warnings and exceptions are not affected (in Jupyter they do not go through descriptor 2;
    elsewhere they are captured and written back after the block). Usable as a decorator.

    Parameters
    ----------
    keep : callable, str -> str
        Given the captured text, returns the part to show. Default :func:`filter_log_noise`.

    Yields
    ------
    None

    Examples
    --------
    >>> with tensorflow_log():
    ...     model.export("model.onnx", format="onnx")  # doctest: +SKIP
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()  # outside Jupyter, what Python wrote meanwhile lies in the captured file too
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            rest = keep(captured.read().decode("utf-8", errors="replace"))
            if rest:
                sys.stderr.write(rest)
                sys.stderr.flush()


def _import_quietly(exec_module, module):
    """Execute ``tensorflow`` (for :func:`digitcourse.hooks.on_first_import`) with descriptor 2
    captured and filtered."""
    with tensorflow_log(keep=filter_startup_noise):
        exec_module(module)
        # The CUDA probe ("failed call to cuInit") runs at the first use of a device.
        module.config.list_physical_devices()


class DropRetracingWarning(logging.Filter):
    """Drops TensorFlow's ``N out of the last M calls to <function ...> triggered tf.function
    retracing`` warning, and only that record.

    Keras compiles each new model's training, evaluation and prediction steps into TensorFlow
    functions; a chapter that trains many small networks one after the other on purpose (chapter 8's
    ablation) builds new ones each time, and TensorFlow, which counts the traces of every model's
    step together, then warns that "tracing is expensive" in the learner's page. Installed on the
    ``tensorflow`` logger by :func:`install`.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "triggered tf.function retracing" not in record.getMessage()


def install() -> None:
    """Quiet the next first import of TensorFlow (no effect if it is already imported), and drop
    TensorFlow's retracing warning (:class:`DropRetracingWarning`).

    Sets ``TF_CPP_MIN_LOG_LEVEL`` to ``"1"`` unless the user has set it. Safe to call repeatedly.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
    tensorflow_logger = logging.getLogger("tensorflow")
    if not any(isinstance(f, DropRetracingWarning) for f in tensorflow_logger.filters):
        tensorflow_logger.addFilter(DropRetracingWarning())
    hooks.on_first_import("tensorflow", _import_quietly)


def uninstall() -> None:
    """Undo :func:`install`'s import hook (the environment variable stays)."""
    hooks.remove("tensorflow")
