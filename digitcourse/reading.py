"""Reading real images of handwritten digits with the course's models (chapter 7).

:func:`predict` and :func:`show_prediction` take a photo, a scan or a drawing, bring it into MNIST's
format with :func:`digitcourse.handwriting.to_mnist` and read it with any of the course's models
(:func:`digitcourse.zoo.predict_probs`). They sit above both: the image pipeline knows no model, and
the models' training code (:data:`digitcourse.storage.TRAINING_MODULES`) knows no image pipeline, so
that changing the pipeline never retrains a model. Importing this module imports Keras.
"""

from __future__ import annotations

import numpy as np

from digitcourse.handwriting import load_image, naive_resize, to_mnist
from digitcourse.zoo import predict_probs


def show_prediction(model, source, title="", threshold=0.0):
    """The image, its naive and its MNIST-style 28 x 28 versions, and the model's probabilities for each.

    ``source`` is a path, a Pillow image or an array, as :func:`digitcourse.handwriting.load_image`
    takes it. Where the highest probability is below ``threshold`` (in [0, 1]; chapter 7 chooses it
    on validation data), the answer is "not sure" rather than a digit. Returns the Matplotlib
    figure. Raises what :func:`digitcourse.handwriting.to_mnist` raises for a bad image."""
    import matplotlib.pyplot as plt

    image = load_image(source)
    versions = {"naive resize": naive_resize(image), "MNIST-style": to_mnist(image)}
    fig, axes = plt.subplots(1, 5, figsize=(13, 2.6), gridspec_kw={"width_ratios": [1.2, 1, 1.6, 1, 1.6]})
    axes[0].imshow(image, cmap="gray")
    axes[0].set_title(title, fontsize=9)
    for (name, x), ax_image, ax_bars in zip(versions.items(), axes[1::2], axes[2::2]):
        probs = predict_probs(model, x[None])[0]
        digit, sure = probs.argmax(), probs.max() >= threshold
        ax_image.imshow(x, cmap="gray", vmin=0, vmax=1)
        ax_image.set_title(name, fontsize=9)
        ax_bars.bar(range(10), probs, color=["crimson" if d == digit and sure else "gray" for d in range(10)])
        if threshold > 0:
            ax_bars.axhline(threshold, color="black", linestyle=":", linewidth=1)
        answer = f"predicted: {digit}" if sure else "not sure"
        ax_bars.set(xticks=range(10), ylim=(0, 1), title=f"{answer} ({probs.max():.0%})")
        ax_bars.title.set_fontsize(9)
    for ax in axes[:2].tolist() + [axes[3]]:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


def predict(model, sources, top: int = 3):
    """Predict the digit in one image or in several, with the ``top`` most probable classes.

    Parameters
    ----------
    model : keras.Model or dict of numpy.ndarray
        One of the course's models (:func:`digitcourse.zoo.load_or_train`).
    sources : one image, or a list or tuple of images
        Each as :func:`digitcourse.handwriting.to_mnist` takes it (a path, a Pillow image or an
        array); every image goes through it.
    top : int
        Number of classes to return per image, in [1, 10].

    Returns
    -------
    list of (int, float), or a list of such lists
        For one image, ``[(digit, probability), ...]``, most probable first; for a list or tuple of
        images, one such list per image.

    Raises
    ------
    ValueError
        If ``top`` is outside [1, 10], the list is empty, or an image is rejected by
        :func:`digitcourse.handwriting.to_mnist` (the message names the image's position in the list).
    """
    if not 1 <= top <= 10:
        raise ValueError(f"top must be between 1 and 10, got {top}.")
    single = not isinstance(sources, (list, tuple))
    items = [sources] if single else list(sources)
    if not items:
        raise ValueError("no images to predict: the list is empty.")
    images = []
    for position, item in enumerate(items):
        try:
            images.append(to_mnist(item))
        except (ValueError, FileNotFoundError) as error:
            if single:
                raise
            raise type(error)(f"image {position}: {error}") from None
    probs = predict_probs(model, np.stack(images))
    ranked = [[(int(d), float(p[d])) for d in np.argsort(-p, kind="stable")[:top]] for p in probs]
    return ranked[0] if single else ranked
