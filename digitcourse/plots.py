"""Figures that several chapters draw: grids of digits, training curves, confusion matrices."""

from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator


def show_digits(images, labels=None, predicted=None, probs=None, ncols: int = 10, size: float = 1.2):
    """Draw digits in a grid, each titled with its label (and prediction, if given).

    Parameters
    ----------
    images : array-like, shape (N, 28, 28) or (N, 784)
        Pixels, uint8 in ``[0, 255]`` or float in ``[0, 1]``; drawn light ink on dark ground, as
        MNIST stores them.
    labels : array-like of int, shape (N,), optional
        True digits.
    predicted : array-like of int, shape (N,), optional
        Predicted digits; a wrong prediction's title is drawn in red.
    probs : array-like of float, shape (N,), optional
        Probability of each predicted digit, in ``[0, 1]``, shown beside it.
    ncols : int
        Images per row.
    size : float
        Width and height of one image, in inches.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``images`` is empty or the lengths of the arguments differ.
    """
    images = np.asarray(images)
    n = len(images)
    if n == 0:
        raise ValueError("show_digits needs at least one image.")
    for name, values in (("labels", labels), ("predicted", predicted), ("probs", probs)):
        if values is not None and len(values) != n:
            raise ValueError(f"{name} has {len(values)} entries for {n} images.")
    images = images.reshape(n, 28, 28)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows * 1.15), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(images[i], cmap="gray", vmin=0, vmax=255 if images.dtype == np.uint8 else 1)
        title, color = [], "black"
        if labels is not None:
            title.append(f"{labels[i]}")
        if predicted is not None:
            title.append(f"→ {predicted[i]}" + (f" ({probs[i]:.1%})" if probs is not None else ""))
            if labels is not None and predicted[i] != labels[i]:
                color = "crimson"
        if title:
            ax.set_title(" ".join(title), fontsize=9, color=color)
    fig.tight_layout()
    return fig


def show_predictions(images, labels, probs, correct: bool, n: int = 10, ncols: int = 10):
    """Draw a classifier's predictions: the first ``n`` it got right, or the ``n`` mistakes it was
    most confident about.

    Parameters
    ----------
    images : array-like, shape (N, 28, 28)
        The images, as :func:`show_digits` takes them.
    labels : array-like of int, shape (N,)
        True digits.
    probs : array-like of float, shape (N, 10)
        Predicted probabilities (softmax outputs), each row summing to 1.
    correct : bool
        ``True``: the first ``n`` correctly classified images, in data order. ``False``: the ``n``
        misclassified images with the highest predicted probability, most confident first.
    n, ncols : int
        Number of images, and images per row.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If no image qualifies (no correct prediction, or no mistake).
    """
    labels, probs = np.asarray(labels), np.asarray(probs)
    predicted, confidence = probs.argmax(axis=1), probs.max(axis=1)
    if correct:
        chosen = np.flatnonzero(predicted == labels)[:n]
    else:
        wrong = np.flatnonzero(predicted != labels)
        chosen = wrong[np.argsort(-confidence[wrong])][:n]
    if len(chosen) == 0:
        raise ValueError(f"no {'correct' if correct else 'wrong'} prediction to show.")
    return show_digits(np.asarray(images)[chosen], labels=labels[chosen], predicted=predicted[chosen],
                       probs=confidence[chosen], ncols=ncols)


def plot_history(histories: Mapping[str, Mapping[str, Sequence[float]]],
                 metrics: Sequence[str] = ("loss", "accuracy")):
    """Plot training and validation curves of one or more runs, one panel per metric.

    Parameters
    ----------
    histories : mapping of run name to history
        Each history maps a metric name to its value per epoch, as Keras' ``History.history``
        does: ``"loss"``, ``"val_loss"``, ``"accuracy"``, ``"val_accuracy"``. Training curves are
        drawn solid, validation curves (the ``val_`` keys, where present) dashed, in the run's colour.
    metrics : sequence of str
        Metrics to plot, one panel each.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    KeyError
        If a run lacks a requested metric.
    """
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.5), squeeze=False)
    for ax, metric in zip(axes.flat, metrics):
        for (run, history), color in zip(histories.items(), plt.rcParams["axes.prop_cycle"].by_key()["color"]):
            if metric not in history:
                raise KeyError(f"run {run!r} has no {metric!r}; it has {sorted(history)}.")
            epochs = np.arange(1, len(history[metric]) + 1)
            ax.plot(epochs, history[metric], color=color, label=f"{run}, training")
            if f"val_{metric}" in history:
                ax.plot(epochs, history[f"val_{metric}"], color=color, linestyle="--",
                        label=f"{run}, validation")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
    axes.flat[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_confusion_matrix(y_true, y_pred, normalize: bool = False, ax=None):
    """Draw the confusion matrix of a 10-class prediction as an annotated seaborn heatmap.

    Row ``i``, column ``j`` counts the images of digit ``i`` predicted as ``j`` (scikit-learn's
    ``confusion_matrix``), so correct predictions lie on the diagonal. With ``normalize=True`` each
    row is divided by its sum and shown in percent: the diagonal is then each digit's recall. The
    colour scale stops at the largest off-diagonal value, so that the mistakes stand out (the
    diagonal saturates).

    Parameters
    ----------
    y_true, y_pred : array-like of int, shape (N,)
        True and predicted digits, in ``[0, 9]``.
    normalize : bool
        Show each row as percentages of that digit's images instead of counts.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new 6 x 5 inch figure if omitted.

    Returns
    -------
    numpy.ndarray, shape (10, 10)
        The matrix drawn: int64 counts, or float64 row percentages in ``[0, 100]``.

    Raises
    ------
    ValueError
        If the lengths differ or a digit lies outside ``[0, 9]``.
    """
    import seaborn as sns
    from sklearn.metrics import confusion_matrix

    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has shape {y_true.shape} but y_pred has {y_pred.shape}.")
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        if y.size and (y.min() < 0 or y.max() > 9):
            raise ValueError(f"{name} must hold digits 0-9, found {y.min()}..{y.max()}.")
    matrix = confusion_matrix(y_true, y_pred, labels=np.arange(10))
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 5))
    if normalize:
        matrix = 100 * matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    off_diagonal = matrix[~np.eye(10, dtype=bool)]
    sns.heatmap(matrix, annot=True, fmt=".1f" if normalize else "d", cmap="Blues", vmin=0,
                vmax=max(off_diagonal.max(), 1), square=True, annot_kws={"fontsize": 7}, ax=ax,
                cbar_kws={"label": ("% of the true digit" if normalize else "images")
                          + " (scale stops at the largest mistake)"})
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    return matrix
