"""Glue numbers from a notebook into the book's prose (myst-nb), and do nothing where there is no book."""

from __future__ import annotations


def glue(name: str, value) -> None:
    """Record ``value`` under ``name`` so the book's prose can quote it (``{glue:text}`name```).

    Wraps ``myst_nb.glue(name, value, display=False)`` (https://myst-nb.readthedocs.io, "Glue").
    Where myst-nb is not installed (Google Colab), it does nothing: the notebook runs the same.

    Parameters
    ----------
    name : str
        Key used in the prose; unique within the book.
    value : object
        A number or string, usually. NumPy scalars are stored as the equivalent Python number,
        so that the prose can format them (``{glue:text}`name:.2%```).
    """
    if hasattr(value, "item") and getattr(value, "shape", None) == ():
        value = value.item()
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        return
    myst_glue(name, value, display=False)
