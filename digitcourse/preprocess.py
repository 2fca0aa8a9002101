"""Turn MNIST's raw arrays into what the models take: normalized pixels, one-hot labels, and the
input shapes of dense and convolutional networks (chapter 2 teaches each of these)."""

from __future__ import annotations

import numpy as np
import scipy.ndimage

from digitcourse.data import NUM_CLASSES


def normalize(images: np.ndarray) -> np.ndarray:
    """Map pixel values from ``[0, 255]`` to ``[0, 1]`` by dividing by 255.

    Parameters
    ----------
    images : np.ndarray, any shape
        Integer pixel values in ``[0, 255]`` (MNIST's uint8 arrays).

    Returns
    -------
    np.ndarray
        float32, same shape, values in ``[0, 1]``.

    Raises
    ------
    TypeError
        If ``images`` is not an integer array (float images are probably normalized already).
    ValueError
        If a value lies outside ``[0, 255]``.
    """
    images = np.asarray(images)
    if not np.issubdtype(images.dtype, np.integer):
        raise TypeError(
            f"normalize expects integer pixels in [0, 255], got dtype {images.dtype}; "
            "float images are usually normalized already: use them as they are."
        )
    if images.size and (images.min() < 0 or images.max() > 255):
        raise ValueError(
            f"pixel values must lie in [0, 255], got [{images.min()}, {images.max()}]."
        )
    return images.astype(np.float32) / np.float32(255)


def one_hot(labels: np.ndarray, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """Encode integer class labels as one-hot rows.

    Row ``i`` is all zeros but a one in column ``labels[i]``; ``one_hot(y).argmax(axis=1)``
    gives ``y`` back. Equal to ``keras.utils.to_categorical(labels, num_classes)``.

    Parameters
    ----------
    labels : np.ndarray, shape (N,)
        Integer labels in ``[0, num_classes)``.
    num_classes : int
        Number of classes (10 digits).

    Returns
    -------
    np.ndarray
        float32, shape ``(N, num_classes)``, entries 0 or 1, one 1 per row.

    Raises
    ------
    TypeError
        If ``labels`` is not an integer array.
    ValueError
        If ``labels`` is not one-dimensional or holds a value outside ``[0, num_classes)``.
    """
    labels = np.asarray(labels)
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"labels must be integers, got dtype {labels.dtype}.")
    if labels.ndim != 1:
        raise ValueError(
            f"labels must have shape (N,), got {labels.shape}; are they one-hot already?"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"labels must lie in [0, {num_classes - 1}], got [{labels.min()}, {labels.max()}]."
        )
    return np.eye(num_classes, dtype=np.float32)[labels]


def _check_images(images: np.ndarray, name: str) -> np.ndarray:
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(
            f"{name} expects a batch of 2-D images of shape (N, height, width), got {images.shape}."
        )
    return images


def flatten_images(images: np.ndarray) -> np.ndarray:
    """Flatten each image into a vector, the input of a dense network.

    Parameters
    ----------
    images : np.ndarray, shape (N, 28, 28)
        Any dtype.

    Returns
    -------
    np.ndarray
        Shape ``(N, 784)`` (row-major: pixel ``(r, c)`` goes to column ``28 * r + c``), same dtype.

    Raises
    ------
    ValueError
        If ``images`` is not three-dimensional.
    """
    images = _check_images(images, "flatten_images")
    return images.reshape(len(images), -1)


def add_channel_axis(images: np.ndarray) -> np.ndarray:
    """Add a trailing channel axis, the input of a convolutional network (channels last).

    Parameters
    ----------
    images : np.ndarray, shape (N, 28, 28)
        Any dtype.

    Returns
    -------
    np.ndarray
        Shape ``(N, 28, 28, 1)``, same dtype (a view, no copy).

    Raises
    ------
    ValueError
        If ``images`` is not three-dimensional.
    """
    images = _check_images(images, "add_channel_axis")
    return images[..., np.newaxis]


def shift_images(images, down, right):
    """Shift images by whole pixels, filling the vacated pixels with black (0); ink pushed past
    an edge is lost (``np.roll`` would wrap it round to the other side instead).

    ``images``: array (N, H, W, C), any numeric dtype (MNIST: float32 (N, 28, 28, 1) in [0, 1]);
    ``down``, ``right``: integer shifts in pixels (negative: up, left). Returns an array of the same
    shape and dtype. Uses ``scipy.ndimage.shift`` with ``order=0`` (no interpolation). Chapters 5
    and 8.
    """
    return scipy.ndimage.shift(images, (0, down, right, 0), order=0, cval=0.0)
