"""The NumPy network of chapter 3 (digitcourse.numpy_net), with one hidden layer and with none."""

import numpy as np
import pytest

from digitcourse import numpy_net
from digitcourse.preprocess import one_hot


@pytest.mark.parametrize("num_hidden, shapes", [
    (5, {"W1": (12, 5), "b1": (5,), "W2": (5, 3), "b2": (3,)}),
    (0, {"W1": (12, 3), "b1": (3,)}),
])
def test_init_params_shapes_and_forward(num_hidden, shapes):
    params = numpy_net.init_params(num_inputs=12, num_hidden=num_hidden, num_classes=3)
    assert {name: value.shape for name, value in params.items()} == shapes
    assert all(value.dtype == np.float32 for value in params.values())
    assert not params["b1"].any()
    logits, _ = numpy_net.forward(params, np.ones((4, 12), dtype=np.float32))
    assert logits.shape == (4, 3)


def test_without_hidden_layer_the_logits_are_affine():
    params = numpy_net.init_params(num_inputs=6, num_hidden=0, num_classes=4, dtype=np.float64)
    x = np.random.default_rng(1).random((3, 6))
    logits, _ = numpy_net.forward(params, x)
    np.testing.assert_allclose(logits, x @ params["W1"] + params["b1"])


@pytest.mark.parametrize("num_hidden", [0, 7])
def test_backward_matches_centred_differences(num_hidden):
    rng = np.random.default_rng(0)
    params = numpy_net.init_params(num_inputs=9, num_hidden=num_hidden, num_classes=4, dtype=np.float64)
    for name in params:  # nonzero biases, so that their gradients are tested away from 0
        params[name] += rng.normal(0, 0.1, params[name].shape)
    x, targets = rng.random((8, 9)), one_hot(rng.integers(0, 4, 8), 4).astype(np.float64)
    logits, cache = numpy_net.forward(params, x)
    analytic = numpy_net.backward(params, logits, cache, targets)
    assert analytic.keys() == params.keys()
    eps = 1e-6
    for name, value in params.items():
        numerical = np.zeros_like(value)
        for i in np.ndindex(value.shape):
            saved = value[i]
            value[i] = saved + eps
            plus = numpy_net.cross_entropy(numpy_net.forward(params, x)[0], targets)
            value[i] = saved - eps
            minus = numpy_net.cross_entropy(numpy_net.forward(params, x)[0], targets)
            value[i] = saved
            numerical[i] = (plus - minus) / (2 * eps)
        np.testing.assert_allclose(analytic[name], numerical, rtol=1e-5, atol=1e-8, err_msg=name)


def blobs(n, seed):
    """Three well separated Gaussian clouds in 2-D, one per class: a linear model separates them."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centres = np.array([[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]])
    return (centres[y] + rng.normal(0, 0.4, (n, 2))).astype(np.float32), y


@pytest.mark.parametrize("num_hidden", [0, 16])
def test_train_learns_and_is_reproducible(num_hidden):
    x_train, y_train = blobs(600, seed=0)
    x_val, y_val = blobs(300, seed=1)
    runs = []
    for _ in range(2):
        params = numpy_net.init_params(num_inputs=2, num_hidden=num_hidden, num_classes=3)
        history = numpy_net.train(params, x_train, y_train, x_val, y_val, epochs=5,
                                  optimizer=numpy_net.Adam(params), learning_rate=0.05, batch_size=32)
        runs.append((params, history))
    (params, history), (params_again, _) = runs
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(values) == 5 for values in history.values())
    assert history["loss"][-1] < history["loss"][0] and history["val_accuracy"][-1] > 0.97, history
    for name in params:
        np.testing.assert_array_equal(params[name], params_again[name])
