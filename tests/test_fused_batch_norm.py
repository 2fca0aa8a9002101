"""The benchmark's fused batch normalization (benchmarks/fused_batch_norm.py) computes what Keras'
layer computes, so that benchmarks/keras_speed.py times the same arithmetic both ways."""

import importlib.util
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

_spec = importlib.util.spec_from_file_location(
    "fused_batch_norm", Path(__file__).resolve().parent.parent / "benchmarks" / "fused_batch_norm.py")
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)
FusedBatchNormalization = _module.FusedBatchNormalization


def test_fused_batch_normalization_matches_keras():
    rng = np.random.default_rng(0)
    x = rng.normal(2.0, 3.0, (32, 6, 6, 8)).astype(np.float32)  # mean 2, variance 9: far from the initial 0 and 1
    weights = [rng.uniform(0.5, 1.5, 8), rng.normal(0, 1, 8), rng.normal(0, 1, 8), rng.uniform(0.5, 2, 8)]
    keras_bn, fused = keras.layers.BatchNormalization(momentum=0.8), FusedBatchNormalization(momentum=0.8)
    for layer in (keras_bn, fused):
        layer.build(x.shape)
        layer.set_weights([w.astype(np.float32) for w in weights])
    for _ in range(3):  # training mode: normalized with the batch's statistics, running averages updated
        np.testing.assert_allclose(fused(x, training=True), keras_bn(x, training=True), atol=1e-5)
    np.testing.assert_allclose(fused.moving_mean, keras_bn.moving_mean, atol=1e-5)
    # The running variance after three updates, 0.8^3 of the initial one plus the rest of the batch's:
    # Keras averages the variance divided by n, the fused kernel (which must be the one that ran) by n - 1.
    n = x.size // 8  # values per channel
    batch_variance = x.var(axis=(0, 1, 2))
    for layer, divisor in [(keras_bn, n), (fused, n - 1)]:
        expected = 0.8**3 * weights[3] + (1 - 0.8**3) * batch_variance * n / divisor
        np.testing.assert_allclose(layer.moving_variance, expected, rtol=2e-5)
    fused.set_weights(keras_bn.get_weights())
    np.testing.assert_allclose(fused(x), keras_bn(x), atol=1e-5)  # inference: the running averages, not the batch's


def test_fused_batch_normalization_gradients_match_keras():
    x = keras.ops.convert_to_tensor(np.random.default_rng(1).normal(0, 2, (16, 5, 5, 4)).astype(np.float32))
    grads = []
    for layer in (keras.layers.BatchNormalization(), FusedBatchNormalization()):
        layer.build(x.shape)
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = keras.ops.sum(layer(x, training=True) ** 3)  # not symmetric: gradients are not zero
        grads.append(tape.gradient(loss, [x, layer.gamma, layer.beta]))
    for keras_grad, fused_grad in zip(*grads):
        np.testing.assert_allclose(fused_grad, keras_grad, rtol=1e-4, atol=1e-4)


def test_fused_batch_normalization_falls_back_to_keras():
    """Where the fused kernel does not apply, the layer is Keras' own: after a dense layer (2-D
    inputs), and when frozen (trainable=False: the running averages, not the batch's statistics)."""
    rng = np.random.default_rng(3)
    x = rng.normal(1, 2, (64, 5)).astype(np.float32)
    keras_bn, fused = keras.layers.BatchNormalization(), FusedBatchNormalization()
    np.testing.assert_allclose(fused(x, training=True), keras_bn(x, training=True), atol=1e-6)
    np.testing.assert_allclose(fused.moving_variance, keras_bn.moving_variance, rtol=1e-6)  # no Bessel
    images = rng.normal(1, 2, (8, 4, 4, 5)).astype(np.float32)
    frozen = FusedBatchNormalization()
    frozen.build(images.shape)
    frozen.trainable = False
    weights = frozen.get_weights()
    np.testing.assert_allclose(frozen(images, training=True), frozen(images, training=False), atol=1e-6)
    for before, after in zip(weights, frozen.get_weights()):
        np.testing.assert_array_equal(before, after)
