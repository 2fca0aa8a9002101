"""Quick mode and full mode: the one place that reads ``DIGITCOURSE_QUICK`` (and
``DIGITCOURSE_STRICT``, which says whether a run is the book's build or a reader's: :func:`strict`).

**Full mode** (the default) is what readers, the book build and the benchmarks use: every training
image and the number of epochs each chapter's figures were measured with.

**Quick mode** (``DIGITCOURSE_QUICK=1``) is for tests and CI: a stratified subset of 10,000 training
and 2,000 validation images (1,000 and 200 per digit, up to rounding) and fewer epochs, so that all
chapters execute in a few minutes on 2 CPU cores. The test set stays whole (10,000 images) in both
modes, so test accuracies are always measured on the same images.

Chapters never hard-code sizes or epochs: they read them from :func:`current_mode`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

ENV_VAR = "DIGITCOURSE_QUICK"
STRICT_ENV_VAR = "DIGITCOURSE_STRICT"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def _flag(var: str, on: str, off: str) -> bool:
    """The boolean environment variable ``var``; ``on``, ``off``: its meanings, for the error."""
    value = os.environ.get(var, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(
        f"{var}={os.environ[var]!r} is not understood: set it to 1 for {on}, "
        f"or 0 (or leave it unset) for {off}."
    )


@dataclass(frozen=True)
class Mode:
    """The sizes and training budgets of one mode.

    Attributes
    ----------
    name : str
        ``"full"`` or ``"quick"``.
    train_size : int or None
        Number of training images a chapter trains on; ``None`` means all that remain after the
        validation split (55,000).
    val_size : int
        Number of images held out of MNIST's 60,000 training images for validation.
    epochs : Mapping[str, int]
        Number of epochs for each of the course's experiments, keyed by experiment name
        (e.g. ``"normalization"`` for chapter 2).
    """

    name: str
    train_size: int | None
    val_size: int
    epochs: Mapping[str, int] = field(default_factory=dict)

    @property
    def quick(self) -> bool:
        """``True`` in quick mode."""
        return self.name == "quick"


FULL = Mode(
    name="full",
    train_size=None,
    val_size=5_000,
    epochs=MappingProxyType({"normalization": 5, "numpy_mlp": 12, "keras_mlp": 20, "cnn": 10, "cnn_plus": 16}),
)
QUICK = Mode(
    name="quick",
    train_size=10_000,
    val_size=2_000,
    epochs=MappingProxyType({"normalization": 3, "numpy_mlp": 5, "keras_mlp": 5, "cnn": 4, "cnn_plus": 2}),
)


def current_mode() -> Mode:
    """Return the mode selected by the environment variable ``DIGITCOURSE_QUICK``.

    Returns
    -------
    Mode
        :data:`QUICK` when the variable is ``1``/``true``/``yes``/``on`` (any case), :data:`FULL`
        when it is unset, empty or ``0``/``false``/``no``/``off``.

    Raises
    ------
    ValueError
        If the variable holds anything else (a typo should not silently select full mode).
    """
    return QUICK if _flag(ENV_VAR, "quick mode", "full mode") else FULL


def strict() -> bool:
    """Whether the claims that depend on the machine must hold (:func:`digitcourse.book.claim`).

    They must when the book is built and when the tests run: the Sphinx extension
    ``digitcourse.book`` sets ``DIGITCOURSE_STRICT=1`` in the environment that the kernels it starts
    inherit, and so does the repository's ``conftest.py`` for the kernels that nbmake starts under
    pytest. A reader's run (Colab, Jupyter) leaves it unset: there a time that differs from the
    book's only prints a note.

    Returns
    -------
    bool
        ``True`` when ``DIGITCOURSE_STRICT`` is ``1``/``true``/``yes``/``on`` (any case), ``False``
        when it is unset, empty or ``0``/``false``/``no``/``off``.

    Raises
    ------
    ValueError
        If the variable holds anything else.
    """
    return _flag(STRICT_ENV_VAR, "the book's build and tests", "a reader's run")
