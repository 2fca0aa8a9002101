"""TensorFlow's start-up log stays out of the page; everything else still reaches stderr."""

import os
import subprocess
import sys

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

