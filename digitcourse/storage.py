"""Where chapters save the models they train, so that later chapters can load them."""

from __future__ import annotations

import os
from pathlib import Path

from digitcourse.mode import Mode, current_mode

ENV_VAR = "DIGITCOURSE_MODELS"


def model_path(name: str, mode: Mode | None = None) -> Path:
    """Path of the saved model ``name`` trained in ``mode``, in Keras' native ``.keras`` format.

    The folder is ``$DIGITCOURSE_MODELS`` if set, else ``~/.cache/digitcourse/models``: outside the
    repository, so trained models are never committed. It is created if missing. The mode is part
    of the file name (``mlp-full.keras``), so a full-mode chapter never loads a quick-mode model.

    Parameters
    ----------
    name : str
        Short model name, letters, digits, ``_`` and ``-`` (e.g. ``"mlp"``).
    mode : Mode, optional
        Defaults to :func:`digitcourse.mode.current_mode`.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ValueError
        If ``name`` is empty or holds other characters.
    """
    if not name or not all(c.isalnum() or c in "_-" for c in name):
        raise ValueError(f"model name must be letters, digits, '_' or '-', got {name!r}.")
    mode = mode or current_mode()
    folder = Path(os.environ.get(ENV_VAR) or Path.home() / ".cache" / "digitcourse" / "models")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}-{mode.name}.keras"
