"""The course's trained models, for the chapters that compare or use them (chapters 6 and 7).

Chapters 3, 4 and 5 save the model they train (:func:`digitcourse.storage.save_model`).
:func:`load_or_train` loads it, or, when that chapter has not run in the current mode (a reader
who opens chapter 6 directly in Colab), trains it with the same code and settings and saves it, and
says so first. :func:`predict_probs` gives every model's probabilities from raw MNIST-style images.
Importing this module imports Keras.
"""

from __future__ import annotations

import time

import numpy as np

from digitcourse import models, numpy_net, storage
from digitcourse.data import MnistSplits
from digitcourse.mode import Mode, current_mode
from digitcourse.preprocess import add_channel_axis, flatten_images, normalize, one_hot

#: name -> (description, chapter that trains it, minutes it takes in full mode on a 2-core CPU)
MODELS = {
    "numpy_mlp": ("NumPy network 784-256-10", 3, 0.5),
    "mlp": ("Keras MLP 784-512-512-10", 4, 1.5),
    "cnn": ("Keras CNN", 5, 3),
}


def train(name: str, splits: MnistSplits, mode: Mode | None = None, seed: int = 0):
    """Train chapter 3's, 4's or 5's model with that chapter's code and settings.

    Parameters
    ----------
    name : {"numpy_mlp", "mlp", "cnn"}
        As for :func:`load_or_train`.
    splits : MnistSplits
        The data to train on (the training and validation images).
    mode : Mode, optional
        Whose number of epochs to use; default :func:`digitcourse.current_mode`.
    seed : int
        Seed of the NumPy network's initial weights and batch order (the chapters use 0). Keras'
        models take theirs from :func:`digitcourse.set_seed`, which the caller sets.

    Returns
    -------
    (model, info)
        As for :func:`load_or_train`.
    """
    mode = mode or current_mode()
    x_train, x_val = normalize(splits.x_train), normalize(splits.x_val)
    if name == "numpy_mlp":  # chapter 3's settings
        epochs = mode.epochs["numpy_mlp"]
        model = numpy_net.init_params(num_hidden=256, seed=seed)
        start = time.perf_counter()
        numpy_net.train(model, flatten_images(x_train), splits.y_train, flatten_images(x_val),
                        splits.y_val, epochs=epochs,
                        optimizer=numpy_net.Adam(model, weight_decay=1e-4), learning_rate=2e-3, seed=seed)
        seconds = time.perf_counter() - start
    elif name == "mlp":
        model, history, seconds = models.train_mlp(
            flatten_images(x_train), one_hot(splits.y_train), flatten_images(x_val),
            one_hot(splits.y_val), epochs=mode.epochs["keras_mlp"])
        epochs = len(history.history["loss"])
    else:
        epochs = mode.epochs["cnn"]
        model, _, seconds = models.train_cnn(add_channel_axis(x_train), splits.y_train,
                                             add_channel_axis(x_val), splits.y_val, epochs=epochs)
    return model, {"train_seconds": seconds, "epochs": epochs}


def load_or_train(name: str, splits: MnistSplits):
    """The model chapter 3, 4 or 5 trained in the current mode: loaded if saved, else trained now.

    Parameters
    ----------
    name : {"numpy_mlp", "mlp", "cnn"}
        Chapter 3's NumPy network (a dict of arrays), chapter 4's Keras MLP, chapter 5's Keras CNN.
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
        If ``name`` is not one of the three.
    """
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}: choose one of {', '.join(MODELS)}.")
    description, chapter, minutes = MODELS[name]
    saved = storage.load_model(name)
    if saved is not None:
        print(f"{description}: loaded the model chapter {chapter} saved.")
        return saved
    mode = current_mode()
    print(f"{description}: chapter {chapter} has not saved one in {mode.name} mode, so it is trained "
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
    return model.predict(x, batch_size=batch_size, verbose=0).astype(np.float32)
