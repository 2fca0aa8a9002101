"""The Colab job (.ci/colab): its runtime is Colab's, and its checks catch what a learner must not see."""

import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
COLAB = ROOT / ".ci" / "colab"
FREEZE = ROOT.parent / "shared" / "colab" / "pip-freeze.txt"


def load_job():
    spec = importlib.util.spec_from_file_location("colab_job", COLAB / "run.py")
    job = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(job)
    return job


def test_constraints_pin_colab_s_own_versions():
    if not FREEZE.exists():
        pytest.skip(f"no copy of Colab's pip freeze at {FREEZE}")
    colab = set(FREEZE.read_text().splitlines())
    pins = [line for line in (COLAB / "constraints.txt").read_text().splitlines() if line and line[0] != "#"]
    assert all(re.fullmatch(r"[\w.-]+==\S+", line) for line in pins), pins
    stale = [line for line in pins if line not in colab]
    assert not stale, f"not Colab's versions (rerun python3.13 .ci/colab/constraints.py): {stale}"
    names = {line.split("==")[0].lower().replace("_", "-") for line in pins}
    assert {"tensorflow", "keras", "numpy", "protobuf", "ipykernel", "nbclient", "jinja2"} <= names


def output(kind, text):
    if kind == "stream":
        return nbformat.v4.new_output("stream", name="stderr", text=text)
    return nbformat.v4.new_output("execute_result", data={"text/plain": text}, execution_count=1)


@pytest.mark.parametrize("kind, text, problem", [
    ("stream", "I0000 00:00:1796550525.251919   13484 devices.cc:67] Number of eligible GPUs\n",
     "a TensorFlow/absl log line"),
    ("stream", "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n",
     "a TensorFlow/absl log line"),
    ("stream", "WARNING:tensorflow:5 out of the last 5 calls to <function f> triggered tf.function retracing.\n",
     "a TensorFlow/absl log line"),
    ("stream", "/tmp/ipykernel_1/2.py:3: UserWarning: something\n  warnings.warn(\n", "a Python warning"),
    ("stream", "/x.py:9: DeprecationWarning: old\n", "a Python warning"),
    ("stream", "ERROR: pip's dependency resolver does not currently take into account all the packages\n",
     "a pip ERROR line"),
    ("execute_result", "Traceback (most recent call last):\n  File ...", "a traceback"),
])
def test_checks_catch_what_a_learner_must_not_see(kind, text, problem):
    job = load_job()
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1", outputs=[output(kind, text)])])
    found = job.check_outputs("01_x.ipynb", notebook)
    assert len(found) == 1 and f"01_x.ipynb, cell 0 ('x = 1'): {problem}:" in found[0], found


def test_checks_pass_ordinary_output():
    job = load_job()
    lines = ("Note: you may need to restart the kernel to use updated packages.\n"
             "WARNING: pip is configured with locations that require TLS/SSL\n"  # pip's own, not Python's
             "quick mode: 10,000 training images, 3 epochs\nEpoch 1/3\n")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1", outputs=[output("stream", lines)])])
    assert job.check_outputs("01_x.ipynb", notebook) == []
