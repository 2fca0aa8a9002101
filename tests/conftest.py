import os

import matplotlib
import pytest

matplotlib.use("Agg")

import digitcourse as dc  # noqa: E402


@pytest.fixture(scope="session")
def mnist():
    """The genuine MNIST arrays, from wherever the loader finds them (CI: $DIGITCOURSE_MNIST)."""
    (x_train, y_train), (x_test, y_test) = dc.load_mnist()
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


@pytest.fixture(scope="session")
def cnn():
    """Chapter 5's CNN in the current mode: the one chapter 5 saved, or trained once now (zoo)."""
    from digitcourse import zoo

    return zoo.load_or_train("cnn", dc.load_splits())[0]


@pytest.fixture(scope="session")
def good_file(mnist, tmp_path_factory):
    """A good MNIST .npz in Keras' layout, written by the test (uncompressed, so it is quick)."""
    path = tmp_path_factory.mktemp("good") / "mnist.npz"
    import numpy as np

    np.savez(path, **mnist)
    return path


@pytest.fixture
def no_env(monkeypatch):
    monkeypatch.delenv(dc.data.ENV_VAR, raising=False)
    monkeypatch.delenv(dc.mode.ENV_VAR, raising=False)
    return os.environ
