"""TensorFlow's start-up log stays out of the page; everything else still reaches stderr."""

import os
import subprocess
import sys

import pytest

from digitcourse import quiet

# Importing Keras, training one step, then a Python warning and a line of our own on stderr.
SCRIPT = """
import sys, warnings
{first}
import keras, numpy as np
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
model.compile(optimizer="adam", loss="mse")
model.fit(np.zeros((8, 4)), np.zeros((8, 2)), verbose=0)
warnings.warn("a warning of our own")
print("a line of our own", file=sys.stderr)
"""


def stderr_of(first_line):
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    result = subprocess.run([sys.executable, "-c", SCRIPT.format(first=first_line)],
                            capture_output=True, text=True, env=env, timeout=300, check=True)
    return result.stderr


def test_tensorflow_startup_log_is_silenced_and_real_messages_are_kept():
    plain = stderr_of("")
    # Without digitcourse, TensorFlow prints its start-up log (so this test can fail).
    assert quiet.STARTUP_NOISE.search(plain), plain
    quieted = stderr_of("import digitcourse")
    assert not any(quiet.STARTUP_NOISE.search(line) for line in quieted.splitlines()), quieted
    assert "a warning of our own" in quieted and "a line of our own" in quieted, quieted


def test_filter_keeps_every_line_that_is_not_startup_noise():
    text = ("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
            "I0000 00:00:1.2 3 port.cc:153] oneDNN custom operations are on. You may see ...\n"
            "W0000 00:00:1.2 3 op_kernel.cc:1] OUT_OF_RANGE: a real TensorFlow warning\n"
            "E0000 00:00:1.2 3 cuda_platform.cc:52] failed call to cuInit: INTERNAL: ...\n"
            "Traceback (most recent call last):\n")
    assert quiet.filter_startup_noise(text) == (
        "W0000 00:00:1.2 3 op_kernel.cc:1] OUT_OF_RANGE: a real TensorFlow warning\n"
        "Traceback (most recent call last):\n")



# TensorFlow's C++ code writing to descriptor 2 inside quiet.tensorflow_log(), as Grappler does during
# Keras' ONNX export under TensorFlow 2.20 (Google Colab's), then a Python warning and a line after it.
NATIVE_SCRIPT = r"""
import os, sys, warnings
from digitcourse import quiet
with quiet.tensorflow_log():
    os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n")
    os.write(2, b"I0000 00:00:1796550525.251919   13484 devices.cc:67] Number of eligible GPUs (core count >= 8, "
                b"compute capability >= 0.0): 0\n")
    os.write(2, b"I0000 00:00:1796550525.252683   13484 single_machine.cc:376] Starting new session\n")
    os.write(2, b"W0000 00:00:1796550525.252690   13484 op_kernel.cc:1] a real TensorFlow warning\n")
    warnings.warn("a warning of our own")
print("a line after the block", file=sys.stderr)
"""


def native_stderr(level=None):
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    if level is not None:
        env["TF_CPP_MIN_LOG_LEVEL"] = level
    return subprocess.run([sys.executable, "-c", NATIVE_SCRIPT], capture_output=True, text=True, env=env,
                          timeout=60, check=True).stderr


def test_tensorflow_log_drops_info_lines_and_keeps_warnings():
    stderr = native_stderr()
    assert "absl::InitializeLog" not in stderr and "devices.cc" not in stderr, stderr
    assert "single_machine.cc" not in stderr, stderr
    assert "a real TensorFlow warning" in stderr and "a warning of our own" in stderr, stderr
    assert stderr.rstrip().endswith("a line after the block"), stderr


def test_tensorflow_log_shows_info_lines_when_asked():
    stderr = native_stderr(level="0")
    assert "devices.cc" in stderr and "single_machine.cc" in stderr, stderr
    assert "absl::InitializeLog" not in stderr, stderr


EXPORT_SCRIPT = """
import digitcourse, keras
from digitcourse import widget
model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
assert widget.export_onnx(model)[:1] == b"\\x08"  # an ONNX model: its first field, ir_version
widget.export_onnx(model)  # and again: Grappler logs at every export, absl's notice only at the first
"""


def test_onnx_export_prints_no_tensorflow_log():
    pytest.importorskip("tf2onnx")
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    result = subprocess.run([sys.executable, "-c", EXPORT_SCRIPT], capture_output=True, text=True, env=env,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    noise = [line for line in result.stderr.splitlines()
             if quiet.STARTUP_NOISE.search(line) or quiet.INFO_LINE.search(line) or ".cc:" in line]
    assert not noise, result.stderr
    assert not result.stdout, result.stdout  # Keras' "Saved artifact at ..."


RETRACING = ("5 out of the last 5 calls to <function f at 0x1> triggered tf.function retracing. "
             "Tracing is expensive")
LOGGING_SCRIPT = """
import logging
{first}
import tensorflow as tf
tf.get_logger().warning({retracing!r})
tf.get_logger().warning("another TensorFlow warning")
"""


@pytest.mark.parametrize("first", ["", "import digitcourse"])
def test_only_the_retracing_warning_is_dropped(first):
    result = subprocess.run([sys.executable, "-c", LOGGING_SCRIPT.format(first=first, retracing=RETRACING)],
                            capture_output=True, text=True, timeout=300, check=True)
    assert "another TensorFlow warning" in result.stderr, result.stderr
    # Without digitcourse the warning is printed (so this test can fail); with it, it is not.
    assert ("triggered tf.function retracing" in result.stderr) == (first == ""), result.stderr
