"""Where chapters save the models they train, so that later chapters can load them.

A saved model records the :func:`training_fingerprint`: the code of the modules that trained it
(:data:`TRAINING_MODULES`) and the versions of the libraries they train with
(:data:`TRAINING_LIBRARIES`). After a change to either, :func:`load_model` treats the model as
missing, so a stale model is retrained, never used. An edit to a comment, a docstring or the layout
of the code changes nothing that training does, and leaves saved models in use.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
from importlib import metadata
from pathlib import Path

import numpy as np

from digitcourse.mode import Mode, current_mode

ENV_VAR = "DIGITCOURSE_MODELS"
PACKAGE_DIR = Path(__file__).resolve().parent


#: The modules that decide what a trained model is: the data and its split, the modes, the models and
#: their training, and saving. ``tests/test_book_cache.py`` checks that they import no other module of
#: the package.
TRAINING_MODULES = ("data", "mode", "models", "numpy_net", "preprocess", "seeding", "storage", "zoo")

#: The libraries those modules train with (distribution names, as :mod:`importlib.metadata` knows
#: them): a new version can change what training produces, or what loads a saved model.
TRAINING_LIBRARIES = ("numpy", "scipy", "scikit-learn", "tensorflow", "keras")


def code_fingerprint(modules=None) -> str:
    """SHA-256 (hex) of source files of the ``digitcourse`` package, names included.

    Parameters
    ----------
    modules : iterable of str, optional
        Module names (e.g. :data:`TRAINING_MODULES`); default every ``*.py`` and ``*.js`` file of
        the package. Any change to those files, a docstring included, changes the fingerprint.
    """
    if modules is None:
        paths = sorted(PACKAGE_DIR.glob("*.py")) + sorted(PACKAGE_DIR.glob("*.js"))
    else:
        paths = sorted(PACKAGE_DIR / f"{name}.py" for name in modules)
    sha = hashlib.sha256()
    for path in paths:
        sha.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return sha.hexdigest()


def _without_docstrings(tree: ast.AST) -> ast.AST:
    """``tree`` with every statement that is only a string literal removed: the docstrings of the
    module, its classes and functions, and such statements elsewhere, which do nothing."""
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            body = getattr(node, field, None)
            if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                kept = [statement for statement in body if not (
                    isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
                    and isinstance(statement.value.value, str))]
                setattr(node, field, kept or [ast.Pass()])
    return tree


def library_versions(names) -> str:
    """The installed version of each distribution in ``names``, one ``name==version`` a line.

    Read from the installed package metadata (:func:`importlib.metadata.version`), without importing
    the library (TensorFlow takes seconds to import). A missing one reads ``name==absent``.
    """
    lines = []
    for name in names:
        try:
            lines.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            lines.append(f"{name}==absent")
    return "\n".join(lines)


def training_fingerprint() -> str:
    """SHA-256 (hex) of what decides a trained model: the code of :data:`TRAINING_MODULES` and the
    versions of :data:`TRAINING_LIBRARIES`.

    The code is read as Python reads it: each module's syntax tree (:func:`ast.parse`, dumped
    without line numbers) with its docstrings removed, so an edit to a comment, a docstring, a blank
    line or a line break leaves the fingerprint unchanged, and any change to what the code does
    changes it.
    """
    sha = hashlib.sha256(library_versions(TRAINING_LIBRARIES).encode() + b"\0")
    for name in sorted(TRAINING_MODULES):
        source = (PACKAGE_DIR / f"{name}.py").read_text(encoding="utf-8")
        tree = _without_docstrings(ast.parse(source))
        sha.update(f"{name}\0{ast.dump(tree)}\0".encode())
    return sha.hexdigest()


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


def save_model(model, name: str, info: dict, mode: Mode | None = None) -> Path:
    """Save a trained model under ``name`` with facts about its training, for later chapters.

    A Keras model goes to :func:`model_path` (``.keras``); chapter 3's NumPy network, a dict of
    arrays, to the same path with the suffix ``.npz``. ``info`` (JSON-serializable, e.g.
    ``{"train_seconds": 84.2, "epochs": 10}``) goes beside it with the suffix ``.json``, together
    with the :func:`training_fingerprint` under ``"code"``. Each file
    is written under a temporary name and then renamed, so an interrupted save never leaves a
    half-written model for a later chapter to load.

    Parameters
    ----------
    model : keras.Model or dict of str to numpy.ndarray
    name : str
        As for :func:`model_path`.
    info : dict
        Facts about the training run.
    mode : Mode, optional
        Defaults to :func:`digitcourse.mode.current_mode`.

    Returns
    -------
    pathlib.Path
        The model's path.
    """
    path = model_path(name, mode)
    if isinstance(model, dict):
        path = path.with_suffix(".npz")
        partial = path.with_name(f"{path.stem}.partial.npz")
        np.savez(partial, **model)
    else:
        partial = path.with_name(f"{path.stem}.partial.keras")
        model.save(partial)
    info_partial = path.with_name(f"{path.stem}.partial.json")
    info_partial.write_text(json.dumps({**info, "code": training_fingerprint()}, indent=1))
    os.replace(partial, path)
    os.replace(info_partial, path.with_suffix(".json"))
    return path


def load_model(name: str, mode: Mode | None = None):
    """Load what :func:`save_model` saved under ``name`` in ``mode``.

    Returns
    -------
    (keras.Model or dict of numpy.ndarray, dict) or None
        The model (a dict of arrays for a ``.npz`` file) and its ``info`` (without ``"code"``);
        ``None`` if no complete model was saved (the chapter that trains it has not run in this
        mode), or if its :func:`training_fingerprint` differs from the current one (the training
        code or a training library changed since), so that the caller trains one.
    """
    path = model_path(name, mode)
    info_path = path.with_suffix(".json")
    if not info_path.exists():
        return None
    info = json.loads(info_path.read_text())
    if info.pop("code", None) != training_fingerprint():
        return None
    if path.with_suffix(".npz").exists():
        with np.load(path.with_suffix(".npz")) as arrays:
            return dict(arrays), info
    if path.exists():
        import keras

        import digitcourse.models  # noqa: F401  (registers the course's own layers, for loading)

        return keras.models.load_model(path), info
    return None
