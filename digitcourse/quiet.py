"""Keep TensorFlow's start-up log out of the reader's page, and nothing else.

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
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import re
import sys
import tempfile

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


def filter_startup_noise(text: str) -> str:
    """Return ``text`` without the lines that match :data:`STARTUP_NOISE` (line endings kept)."""
    return "".join(line for line in text.splitlines(keepends=True) if not STARTUP_NOISE.search(line))


class _QuietLoader(importlib.abc.Loader):
    """Runs the real loader of ``tensorflow`` with descriptor 2 captured and filtered."""

    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        saved = os.dup(2)
        with tempfile.TemporaryFile() as captured:
            sys.stderr.flush()
            os.dup2(captured.fileno(), 2)
            try:
                self._loader.exec_module(module)
                # The CUDA probe ("failed call to cuInit") runs at the first use of a device.
                module.config.list_physical_devices()
            finally:
                os.dup2(saved, 2)
                os.close(saved)
                captured.seek(0)
                rest = filter_startup_noise(captured.read().decode("utf-8", errors="replace"))
                if rest:
                    sys.stderr.write(rest)
                    sys.stderr.flush()

    def __getattr__(self, name):  # resource readers and the like: the real loader's
        return getattr(self._loader, name)


class _QuietTensorFlowFinder(importlib.abc.MetaPathFinder):
    """Finds ``tensorflow`` as Python would, once, and gives it a :class:`_QuietLoader`."""

    def find_spec(self, fullname, path, target=None):
        if fullname != "tensorflow":
            return None
        uninstall()
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


def install() -> None:
    """Quiet the next first import of TensorFlow (no effect if it is already imported).

    Sets ``TF_CPP_MIN_LOG_LEVEL`` to ``"1"`` unless the user has set it. Safe to call repeatedly.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
    if "tensorflow" in sys.modules or any(isinstance(f, _QuietTensorFlowFinder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _QuietTensorFlowFinder())


def uninstall() -> None:
    """Undo :func:`install`'s import hook (the environment variable stays)."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _QuietTensorFlowFinder)]
