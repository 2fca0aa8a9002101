"""Chapter 8's augmentation layer: the geometry of its composed transform, and saving."""

import keras
import numpy as np
import pytest

from digitcourse.models import RandomAffine
from digitcourse.preprocess import add_channel_axis, normalize

CENTRE = np.array([13.5, 13.5])  # (row, column) of a 28 x 28 image's centre


@pytest.fixture(scope="module")
def digits(mnist):
    keras.utils.set_random_seed(0)
    return add_channel_axis(normalize(mnist["x_test"][:64]))


def centroid(images):
    """(N, 2) ink-weighted mean (row, column) of each image."""
    rows, cols = np.indices(images.shape[1:3])
    mass = images[..., 0].sum(axis=(1, 2))
    return np.stack([(images[..., 0] * rows).sum(axis=(1, 2)), (images[..., 0] * cols).sum(axis=(1, 2))], 1) / mass[:, None]


def test_inference_and_zero_ranges_pass_images_through(digits):
    np.testing.assert_array_equal(RandomAffine(rotation_degrees=60, zoom=0.5, shift=0.3)(digits), digits)
    np.testing.assert_allclose(RandomAffine(0, 0, 0)(digits, training=True), digits, atol=1e-6)


def blocks(row, col, n=64):
    """n copies of a black 28 x 28 image with one 4 x 4 white block whose top-left pixel is (row, col)."""
    images = np.zeros((n, 28, 28, 1), dtype=np.float32)
    images[:, row:row + 4, col:col + 4] = 1.0
    return images


def test_rotation_turns_about_the_centre():
    block = blocks(3, 12)  # centred at (4.5, 13.5): 9 pixels above the image's centre
    turned = np.asarray(RandomAffine(rotation_degrees=30, zoom=0, shift=0)(block, training=True))
    before, after = centroid(block) - CENTRE, centroid(turned) - CENTRE
    np.testing.assert_allclose(np.hypot(*after.T), np.hypot(*before.T), atol=0.2)  # same distance
    angles = np.degrees(np.arctan2(after[:, 0], after[:, 1]) - np.arctan2(before[:, 0], before[:, 1]))
    assert np.all(np.abs(angles) <= 30.5) and np.abs(angles).max() > 15  # it turns, within the range


def test_shift_moves_ink_by_at_most_the_range():
    block = blocks(12, 12)
    moved = np.asarray(RandomAffine(rotation_degrees=0, zoom=0, shift=0.1)(block, training=True))
    displacement = centroid(moved) - centroid(block)
    assert np.all(np.abs(displacement) <= 0.1 * 28 + 0.05) and np.abs(displacement).max() > 1.5
    np.testing.assert_allclose(moved.sum(axis=(1, 2, 3)), block.sum(axis=(1, 2, 3)), rtol=1e-4)  # no ink lost


def test_zoom_scales_ink_by_the_square_of_the_factor(digits):
    zoomed = np.asarray(RandomAffine(rotation_degrees=0, zoom=0.2, shift=0)(digits, training=True))
    ratio = zoomed.sum(axis=(1, 2, 3)) / digits.sum(axis=(1, 2, 3))
    assert np.all((0.8**2 - 0.03 <= ratio) & (ratio <= 1.2**2 + 0.03)), ratio
    assert ratio.min() < 0.85 and ratio.max() > 1.15  # both smaller and larger digits


def test_a_model_with_the_layer_saves_and_loads(tmp_path):
    model = keras.Sequential([keras.Input((28, 28, 1)), RandomAffine(rotation_degrees=7, interpolation="nearest"),
                              keras.layers.Flatten(), keras.layers.Dense(10)])
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    layer = loaded.layers[0]
    assert isinstance(layer, RandomAffine) and layer.rotation_degrees == 7 and layer.interpolation == "nearest"


def test_a_model_with_random_affine_is_not_compiled_with_xla():
    # Keras compiles with XLA by default where a GPU is present; TensorFlow's image transform has no XLA kernel.
    model = keras.Sequential([keras.Input((28, 28, 1)), RandomAffine(), keras.layers.Flatten(), keras.layers.Dense(10)])
    with pytest.warns(UserWarning, match="jit_compile"):
        model.compile(loss="mse", jit_compile=True)
    assert model.jit_compile is False
