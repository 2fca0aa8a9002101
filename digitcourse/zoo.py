"""The course's trained models, for the chapters that compare or use them (chapters 6 and 7).

:data:`MODELS` maps each model's name to its description, its chapter and the training function that
chapter shows. The chapters save the models they train (:func:`digitcourse.storage.save_model`).
:func:`load_or_train` loads one, or, when that chapter has not run in the current mode (a reader
who opens chapter 6 directly in Colab), trains it with the same code and settings and saves it, and
says so first. :func:`predict_probs` gives every model's probabilities from raw MNIST-style images.
Importing this module imports Keras.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from digitcourse import models, numpy_net, storage
from digitcourse.data import MnistSplits
from digitcourse.mode import Mode, current_mode
from digitcourse.preprocess import add_channel_axis, flatten_images, normalize, one_hot


def _flat(images, labels):
    return flatten_images(normalize(images)), labels


def _flat_one_hot(images, labels):
    return flatten_images(normalize(images)), one_hot(labels)


def _image(images, labels):
    return add_channel_axis(normalize(images)), labels


@dataclass(frozen=True)
class ZooModel:
    """One of the course's trained models: what it is, where it is taught, how it is trained.

    Attributes
    ----------
    description : str
        A short name for tables and messages.
    chapter : int
        The chapter that shows :attr:`train` (in a ``#@save`` cell) and saves the model.
    minutes : float
        About how long training takes in full mode on a 2-core CPU (for the message a reader sees).
    train : callable
        The chapter's training function, called as ``train(x_train, y_train, x_val, y_val,
        epochs=..., seed=...)`` and returning ``(model, history, seconds)``.
    inputs : callable
        Turns uint8 images (N, 28, 28) and integer labels (N,) into what :attr:`train` takes.
    epochs : str
        The key of :attr:`digitcourse.mode.Mode.epochs` that gives its number of epochs.
    """

    description: str
    chapter: int
    minutes: float
    train: Callable
    inputs: Callable
    epochs: str


#: Each of the course's models by name. A new model is one more entry here.
MODELS = {
    "numpy_mlp": ZooModel("NumPy network 784-256-10", 3, 0.5, numpy_net.train_numpy_mlp, _flat, "numpy_mlp"),
    "mlp": ZooModel("Keras MLP 784-512-512-10", 4, 1.5, models.train_mlp, _flat_one_hot, "keras_mlp"),
    "cnn": ZooModel("Keras CNN", 5, 3, models.train_cnn, _image, "cnn"),
    "cnn_plus": ZooModel("CNN with augmentation and batch normalization", 8, 5, models.train_cnn_plus, _image,
                         "cnn_plus"),
    "ensemble": ZooModel("Ensemble of 3 such CNNs", 8, 15, models.train_ensemble, _image, "cnn_plus"),
}


def train(name: str, splits: MnistSplits, mode: Mode | None = None, seed: int = 0):
    """Train one of :data:`MODELS` with its chapter's training function and settings.

    Parameters
    ----------
    name : str
        A key of :data:`MODELS`.
    splits : MnistSplits
        The data to train on (the training and validation images).
    mode : Mode, optional
        Whose number of epochs to use; default :func:`digitcourse.current_mode`.
    seed : int
        Passed to the training function (the chapters use 0): initial weights, batch order, dropout.

    Returns
    -------
    (model, info)
        As for :func:`load_or_train`.

    Raises
    ------
    ValueError
        If ``name`` is not a key of :data:`MODELS`.
    """
    entry = _entry(name)
    mode = mode or current_mode()
    x_train, y_train = entry.inputs(splits.x_train, splits.y_train)
    x_val, y_val = entry.inputs(splits.x_val, splits.y_val)
    model, history, seconds = entry.train(x_train, y_train, x_val, y_val,
                                          epochs=mode.epochs[entry.epochs], seed=seed)
    epochs = len(history["loss"] if isinstance(history, dict) else history.history["loss"])
    return model, {"train_seconds": seconds, "epochs": epochs}


def _entry(name: str) -> ZooModel:
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}: choose one of {', '.join(MODELS)}.")
    return MODELS[name]


def load_or_train(name: str, splits: MnistSplits):
    """A model a chapter trained in the current mode: loaded if saved, else trained now.

    Parameters
    ----------
    name : str
        A key of :data:`MODELS`: ``"numpy_mlp"`` (chapter 3's NumPy network, a dict of arrays),
        ``"mlp"`` (chapter 4's Keras MLP), ``"cnn"`` (chapter 5's Keras CNN), ...
    splits : MnistSplits
        The current mode's data (:func:`digitcourse.load_splits`); used only when training.

    Returns
    -------
    (model, info)
        The model, and a dict with ``"train_seconds"`` (float, wall clock of the training) and
        ``"epochs"`` (int).

    Raises
    ------
    ValueError
        If ``name`` is not a key of :data:`MODELS`.
    """
    entry = _entry(name)
    description, chapter, minutes = entry.description, entry.chapter, entry.minutes
    saved = storage.load_model(name)
    if saved is not None:
        print(f"{description}: loaded the model chapter {chapter} saved.")
        return saved
    mode = current_mode()
    print(f"{description}: chapter {chapter} has not saved one in {mode.name} mode with this version of "
          f"the digitcourse code, so it is trained "
          f"now with chapter {chapter}'s code" + (f" (about {minutes:g} min on a 2-core CPU)" if not mode.quick else "")
          + "...", flush=True)
    model, info = train(name, splits)
    storage.save_model(model, name, info)
    return model, info


def count_params(model) -> int:
    """Number of trainable numbers in a Keras model or in a NumPy network's dict of arrays."""
    if isinstance(model, dict):
        return int(sum(value.size for value in model.values()))
    return int(model.count_params())


def predict_probs(model, images, batch_size: int = 2000) -> np.ndarray:
    """Class probabilities of any of the course's models for MNIST-style images.

    Parameters
    ----------
    model : keras.Model or dict of numpy.ndarray
        A model from :func:`load_or_train`: the input shape tells the MLP (784) from the CNN
        (28, 28, 1); a dict is chapter 3's NumPy network.
    images : numpy.ndarray, shape (N, 28, 28)
        uint8 in [0, 255] (normalized here), or float already in [0, 1] (as chapter 7's
        pipeline returns).

    Returns
    -------
    numpy.ndarray, float32 (N, 10)
        Softmax probabilities; each row sums to 1.

    Raises
    ------
    ValueError
        If the images are not (N, 28, 28) or their values lie outside the ranges above.
    """
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(f"images must have shape (N, 28, 28), got {images.shape}.")
    if np.issubdtype(images.dtype, np.integer):
        x = normalize(images)
    elif images.size and (images.min() < 0 or images.max() > 1):
        raise ValueError(f"float images must lie in [0, 1], got [{images.min()}, {images.max()}].")
    else:
        x = images.astype(np.float32)
    if isinstance(model, dict):
        logits = np.concatenate([numpy_net.forward(model, flatten_images(x[i:i + batch_size]))[0]
                                 for i in range(0, len(x), batch_size)])
        return np.exp(numpy_net.log_softmax(logits)).astype(np.float32)
    x = add_channel_axis(x) if len(model.input_shape) == 4 else flatten_images(x)
    # The model is called directly, chunk by chunk, rather than through model.predict: nothing is
    # compiled, so calls with ever different numbers of images cost (and log) no retracing.
    chunks = [np.asarray(model(x[i:i + batch_size], training=False)) for i in range(0, len(x), batch_size)]
    return np.concatenate(chunks).astype(np.float32) if chunks else np.zeros((0, 10), np.float32)
