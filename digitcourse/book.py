"""The book build: glue numbers from a notebook into the prose (myst-nb), and a Sphinx fix-up."""

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


def _drop_duplicate_inline_scripts(app, pagename, templatename, context, doctree):
    """Keep one copy of each script of a page (a Sphinx ``html-page-context`` handler).

    An inline script that an extension adds after the HTML builder has started (sphinx-thebe's
    ``const THEBE_JS_URL = …``) is registered twice, once with the file name ``None`` and once with
    ``''``, so Sphinx 7.4 does not see the duplicate; the second ``const`` declaration then stops
    the page with a ``SyntaxError`` in the reader's browser.
    """
    seen, unique = set(), []
    for script in context.get("script_files", []):
        key = (script.filename or "", script.priority, tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    """Sphinx extension (``_config.yml``: ``sphinx: extra_extensions: [digitcourse.book]``)."""
    app.connect("html-page-context", _drop_duplicate_inline_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
