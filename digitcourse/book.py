"""The book build: glue numbers from a notebook into the prose (myst-nb), and a Sphinx extension.

The extension (``_config.yml``: ``sphinx: extra_extensions: [digitcourse.book]``) does three things:

- **Stale executions are never reused.** With ``execute_notebooks: cache`` Jupyter Book reuses a
  notebook's outputs while its code cells are unchanged. A chapter's results also depend on the
  ``digitcourse`` package, on the mode (quick or full) and on the models that other chapters train,
  none of which jupyter-cache sees. So the extension keeps an :func:`execution_fingerprint` of all of
  them beside the cache; when it differs, it empties the cache and has every notebook re-read and
  re-executed. Only a prose edit leaves it unchanged: then the edited page is rebuilt from the cache.
- **Chapters that train models run first** (``digitcourse_read_first``), so that chapters which load
  their models find them saved rather than training them a second time.
- **No duplicate inline scripts** (a Sphinx 7.4 defect, :func:`_drop_duplicate_inline_scripts`).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

FINGERPRINT_FILE = "digitcourse-fingerprint.txt"


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


def execution_fingerprint(notebooks) -> str:
    """SHA-256 (hex) of what a chapter's execution depends on beyond its own code cells.

    Parameters
    ----------
    notebooks : iterable of path-like
        Every notebook of the book: their code cells (models trained in one chapter are used in
        others), in sorted order.

    Returns
    -------
    str
        Changes when the package's code (:func:`digitcourse.storage.code_fingerprint`), the mode
        (``DIGITCOURSE_QUICK``) or any code cell changes; not when only Markdown or outputs change.
    """
    from digitcourse.mode import current_mode
    from digitcourse.storage import code_fingerprint

    sha = hashlib.sha256(f"{code_fingerprint()}\0{current_mode().name}\0".encode())
    for path in sorted(Path(p) for p in notebooks):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
        sha.update(path.name.encode() + b"\0" + json.dumps(code).encode() + b"\0")
    return sha.hexdigest()


def _notebooks(env):
    return {docname: Path(env.doc2path(docname)) for docname in env.found_docs
            if str(env.doc2path(docname)).endswith(".ipynb")}


def _reexecute_if_stale(app, env, added, changed, removed):
    """``env-get-outdated`` handler: empty the execution cache if the fingerprint changed, and
    return every notebook, so that Sphinx re-reads (and myst-nb re-executes) all of them."""
    config = getattr(env, "mystnb_config", None)
    if config is None or config.execution_mode != "cache":
        return []
    from sphinx.util import logging

    notebooks = _notebooks(env)
    cache = Path(config.execution_cache_path)
    stamp = cache / FINGERPRINT_FILE
    fingerprint = execution_fingerprint(notebooks.values())
    if stamp.is_file() and stamp.read_text() == fingerprint:
        return []
    logging.getLogger(__name__).info(
        "digitcourse: code, mode or a code cell changed since the cached executions: every notebook "
        "is executed again")
    shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir(parents=True)
    stamp.write_text(fingerprint)
    return sorted(set(notebooks) - set(added) - set(changed))


def _read_model_chapters_first(app, env, docnames):
    """``env-before-read-docs`` handler: move the documents in ``digitcourse_read_first`` to the
    front of the reading (and execution) order, in the order given."""
    first = [d for d in app.config.digitcourse_read_first if d in docnames]
    rest = [d for d in docnames if d not in first]
    docnames[:] = first + rest


def setup(app):
    """Sphinx extension (``_config.yml``: ``sphinx: extra_extensions: [digitcourse.book]``)."""
    app.add_config_value("digitcourse_read_first", [], "env")
    app.connect("env-get-outdated", _reexecute_if_stale)
    app.connect("env-before-read-docs", _read_model_chapters_first)
    app.connect("html-page-context", _drop_duplicate_inline_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
