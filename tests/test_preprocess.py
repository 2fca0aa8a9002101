import numpy as np
import pytest

from digitcourse.preprocess import add_channel_axis, flatten_images, normalize, one_hot, shift_images


def test_normalize_maps_0_255_to_0_1_as_float32(mnist):
    x = normalize(mnist["x_test"])
    assert x.dtype == np.float32 and x.shape == (10000, 28, 28)
    assert x.min() == 0.0 and x.max() == 1.0
    assert np.allclose(x * 255, mnist["x_test"], atol=1e-4)


def test_normalize_rejects_floats_and_out_of_range_values():
    with pytest.raises(TypeError, match="already"):
        normalize(np.zeros((2, 28, 28), dtype=np.float32))
    with pytest.raises(ValueError, match=r"\[0, 300\]"):
        normalize(np.array([0, 300]))


def test_one_hot_round_trip(mnist):
    y = mnist["y_train"]
    encoded = one_hot(y)
    assert encoded.shape == (60000, 10) and encoded.dtype == np.float32
    assert set(np.unique(encoded)) == {0.0, 1.0} and np.all(encoded.sum(axis=1) == 1)
    assert np.array_equal(encoded.argmax(axis=1), y)


def test_one_hot_matches_keras():
    keras = pytest.importorskip("keras")
    y = np.array([3, 0, 9, 9, 1])
    assert np.array_equal(one_hot(y), keras.utils.to_categorical(y, num_classes=10))


@pytest.mark.parametrize("labels, error, match", [
    (np.array([0, 10]), ValueError, r"\[0, 9\]"),
    (np.array([-1, 2]), ValueError, r"\[0, 9\]"),
    (np.eye(10, dtype=int), ValueError, "one-hot already"),
    (np.array([1.0, 2.0]), TypeError, "integers"),
])
def test_one_hot_rejects_bad_labels(labels, error, match):
    with pytest.raises(error, match=match):
        one_hot(labels)


def test_shapes_for_dense_and_convolutional_models(mnist):
    x = mnist["x_test"][:5]
    flat = flatten_images(x)
    assert flat.shape == (5, 784) and flat[2, 28 * 7 + 11] == x[2, 7, 11]
    conv = add_channel_axis(x)
    assert conv.shape == (5, 28, 28, 1) and np.array_equal(conv[..., 0], x)
    with pytest.raises(ValueError, match=r"\(N, height, width\)"):
        flatten_images(x[0])
    with pytest.raises(ValueError, match=r"\(N, height, width\)"):
        add_channel_axis(conv)


def test_shift_images_moves_ink_and_fills_with_black(mnist):
    ink_everywhere = np.ones((1, 28, 28, 1), dtype=np.float32)  # np.roll would wrap its ink round
    images = np.concatenate([add_channel_axis(normalize(mnist["x_train"][:5])), ink_everywhere])
    down_right = shift_images(images, 2, -3)  # 2 down, 3 left
    assert down_right.shape == images.shape and down_right.dtype == images.dtype
    np.testing.assert_array_equal(down_right[:, 2:, :-3], images[:, :-2, 3:])
    assert not down_right[:, :2].any() and not down_right[:, :, -3:].any()  # vacated pixels are black
    lost = images[:, -2:].sum() + images[:, :-2, :3].sum()  # ink pushed past the bottom and left edges
    assert np.isclose(down_right.sum(), images.sum() - lost)
