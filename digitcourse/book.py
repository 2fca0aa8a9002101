"""The book build: glue numbers from a notebook into the prose (myst-nb), and a Sphinx extension.

The extension (``_config.yml``: ``sphinx: extra_extensions: [digitcourse.book]``) does three things:

- **Stale executions are never reused.** With ``execute_notebooks: cache`` Jupyter Book reuses a
  notebook's outputs while its code cells are unchanged. A chapter's results also depend on the
  ``digitcourse`` package, on the libraries' versions, on the mode (quick or full) and on the models
  that other chapters train, none of which jupyter-cache sees. So the extension keeps an
  :func:`execution_fingerprint` of all of them beside the cache, written only when a build has
  finished without an error, so that it vouches only for executions that happened. When it differs
  or is missing, the extension empties the cache and has every notebook re-read and re-executed.
  Only a prose edit leaves it unchanged: then the edited page is rebuilt from the cache.
- **Chapters that train models run first** (``digitcourse_read_first``), so that chapters which load
  their models find them saved rather than training them a second time.
- **No duplicate inline scripts** (a Sphinx 7.4 defect, :func:`_drop_duplicate_inline_scripts`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

FINGERPRINT_FILE = "digitcourse-fingerprint.txt"

#: The libraries whose version can change a chapter's results or figures (distribution names).
RESULT_LIBRARIES = ("numpy", "scipy", "scikit-learn", "pillow", "tensorflow", "keras", "pandas",
                    "matplotlib", "seaborn")


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
    value = _python_scalar(value)
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        return
    myst_glue(name, value, display=False)


def claim(name: str, value, holds, *, says: str = "", machine: bool = False) -> None:
    """Glue ``value`` under ``name``, as :func:`glue` does, and check what the prose says about it.

    One line instead of a glue and an assert: ``dc.claim("ch1_centroid_low", low, low > 0.8,
    says="eight times chance")``. Where a claim does not hold, the chapter stops, so that the book
    never states a result its own execution contradicts. A claim that depends on the machine that
    runs the chapter (a time, a ratio of times) stops it only when the book is built or tested
    (:func:`digitcourse.mode.strict`); in a reader's run it prints one line and the chapter goes on.

    Parameters
    ----------
    name : str
        Key used in the prose; unique within the book.
    value : object
        The number or text the prose quotes; NumPy scalars are stored as Python numbers.
    holds : bool
        Whether what the prose says about ``value`` is true, computed by the caller (``low > 0.8``).
    says : str, optional
        What the prose says, in words, for the message when it does not hold.
    machine : bool, optional
        ``True`` where the claim depends on the computer that runs the chapter: times, ratios of
        times, anything that changes with the hardware or its load.

    Raises
    ------
    AssertionError
        If ``holds`` is false, unless ``machine`` is true in a reader's run.
    TypeError
        If ``holds`` is an array rather than one truth value (reduce it with ``.all()``).
    """
    if getattr(holds, "shape", ()) != ():
        raise TypeError(f"claim {name!r}: holds must be one truth value, not an array of shape "
                        f"{holds.shape}; reduce it with .all() or .any().")
    value = _python_scalar(value)
    glue(name, value)
    if holds:
        return
    shown = f"{value:.4g}" if isinstance(value, float) else str(value)
    said = f"the book's text says: {says}" if says else "the book's text says otherwise"
    if not machine:
        raise AssertionError(f"{name} = {shown}, but {said}")
    from digitcourse.mode import STRICT_ENV_VAR, strict

    if strict():
        raise AssertionError(f"{name} = {shown} on this machine, but {said} ({STRICT_ENV_VAR} is "
                             "set, as in the book's build and tests; a reader's run prints a note)")
    print(f"Note: on this machine, {name} = {shown}, while {said}. Figures like this depend on the "
          "computer that runs the chapter; the rest of the chapter is not affected.")


def _python_scalar(value):
    """A NumPy scalar as the equivalent Python number; anything else unchanged."""
    return value.item() if hasattr(value, "item") and getattr(value, "shape", None) == () else value


#: When the running chapter imported ``digitcourse``: in its setup cell, its first real step.
_STARTED = time.perf_counter()


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} seconds" if seconds < 90 else f"{seconds / 60:.0f} minutes"


def glue_runtime(name: str, *, full: float | None, quick: float | None) -> None:
    """Glue how long the running chapter took, for the sentence near its top; call it last.

    The chapter's time is measured from the import of ``digitcourse`` (in its setup cell) to this
    call, in the mode it runs in; the other mode's is the figure given, measured earlier on the
    book's build machine. The text glued reads, for example, "21 minutes in full mode, as this page
    was built, and about 3 minutes in quick mode".

    Parameters
    ----------
    name : str
        Key used in the prose.
    full, quick : float or None
        Seconds the chapter took in each mode when last measured on the book's build machine
        (2 CPU cores); only the other mode's is quoted. ``None`` where the chapter changed since
        and that mode has not been measured again: the text then says so rather than quote an old
        figure.
    """
    from digitcourse.mode import current_mode

    mode = current_mode().name
    other = "quick" if mode == "full" else "full"
    elapsed = _duration(time.perf_counter() - _STARTED)
    seconds = {"full": full, "quick": quick}[other]
    if seconds is None:
        glue(name, f"{elapsed} in {mode} mode, as this page was built ({other} mode not yet measured "
                   "since the chapter last changed)")
        return
    glue(name, f"{elapsed} in {mode} mode, as this page was built, and about {_duration(seconds)} in {other} mode")


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
        Changes when the package's code (:func:`digitcourse.storage.code_fingerprint`, docstrings
        included: a chapter may show them), the version of a library in :data:`RESULT_LIBRARIES`,
        the mode (``DIGITCOURSE_QUICK``) or any code cell changes; not when only Markdown or outputs
        change.
    """
    from digitcourse.mode import current_mode
    from digitcourse.storage import code_fingerprint, library_versions

    sha = hashlib.sha256(f"{code_fingerprint()}\0{library_versions(RESULT_LIBRARIES)}\0"
                         f"{current_mode().name}\0".encode())
    for path in sorted(Path(p) for p in notebooks):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
        sha.update(path.name.encode() + b"\0" + json.dumps(code).encode() + b"\0")
    return sha.hexdigest()


def _notebooks(env):
    return {docname: Path(env.doc2path(docname)) for docname in env.found_docs
            if str(env.doc2path(docname)).endswith(".ipynb")}


def _cache_config(env):
    """myst-nb's configuration when it executes notebooks with a cache, else ``None``."""
    config = getattr(env, "mystnb_config", None)
    return config if config is not None and config.execution_mode == "cache" else None


def _reexecute_if_stale(app, env, added, changed, removed):
    """``env-get-outdated`` handler: compare the :func:`execution_fingerprint` with the one stamped
    beside the cache by the last build that finished; if they differ, or no build finished since the
    cache was last emptied (no stamp), empty the cache and return every notebook, so that Sphinx
    re-reads (and myst-nb re-executes) all of them, even those its saved environment says are up to
    date. The stamp is written by :func:`_stamp_if_finished`, never here."""
    config = _cache_config(env)
    if config is None:
        return []
    from sphinx.util import logging

    notebooks = _notebooks(env)
    cache = Path(config.execution_cache_path)
    stamp = cache / FINGERPRINT_FILE
    fingerprint = execution_fingerprint(notebooks.values())
    app._digitcourse_fingerprint = fingerprint
    if stamp.is_file() and stamp.read_text() == fingerprint:
        return []
    logging.getLogger(__name__).info(
        "digitcourse: code, a library, the mode or a code cell changed since the last finished "
        "build (or none finished): every notebook is executed again")
    # The stamp goes first: if emptying the cache fails half-way, nothing vouches for what is left.
    stamp.unlink(missing_ok=True)
    if cache.exists():
        shutil.rmtree(cache)
    cache.mkdir(parents=True)
    return sorted(set(notebooks) - set(added) - set(changed))


def _stamp_if_finished(app, exception):
    """``build-finished`` handler: once a build has finished without an error, every notebook it
    needed has been executed with the code it started with, so stamp that code's fingerprint (the
    one :func:`_reexecute_if_stale` computed) beside the cache. A build that stops with an error (or
    is stopped by Ctrl-C or killed, and never gets here) leaves the stamp as it found it: none, if
    it had emptied the cache, so that the next build re-executes every notebook."""
    fingerprint = getattr(app, "_digitcourse_fingerprint", None)
    config = _cache_config(app.env)
    if exception is not None or fingerprint is None or config is None:
        return
    stamp = Path(config.execution_cache_path) / FINGERPRINT_FILE
    if not (stamp.is_file() and stamp.read_text() == fingerprint):
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(fingerprint)


def _read_model_chapters_first(app, env, docnames):
    """``env-before-read-docs`` handler: move the documents in ``digitcourse_read_first`` to the
    front of the reading (and execution) order, in the order given."""
    first = [d for d in app.config.digitcourse_read_first if d in docnames]
    rest = [d for d in docnames if d not in first]
    docnames[:] = first + rest


def _published_addresses(app, config):
    """``config-inited`` handler: the published site's addresses derive from ``html_baseurl``
    (``_config.yml``: ``html: baseurl``), typed once: Open Graph's site URL, and the prefix of the
    links on the 404 page, which a reader may reach from any depth of the site."""
    from urllib.parse import urlsplit

    if not config.html_baseurl:
        return
    if "ogp_site_url" in config and not config.ogp_site_url:
        config.ogp_site_url = config.html_baseurl
    if "notfound_urls_prefix" in config:
        config.notfound_urls_prefix = urlsplit(config.html_baseurl).path or "/"


def setup(app):
    """Sphinx extension (``_config.yml``: ``sphinx: extra_extensions: [digitcourse.book]``)."""
    os.environ["DIGITCOURSE_STRICT"] = "1"  # in the kernels it starts too: every claim() must hold
    app.add_config_value("digitcourse_read_first", [], "env")
    app.connect("env-get-outdated", _reexecute_if_stale)
    app.connect("build-finished", _stamp_if_finished)
    app.connect("env-before-read-docs", _read_model_chapters_first)
    app.connect("html-page-context", _drop_duplicate_inline_scripts)
    # The notebooks Colab opens: generated from the chapters, and the Colab buttons point to them.
    from digitcourse import colab

    app.add_config_value("digitcourse_colab_branch", "colab", "html")
    app.connect("html-page-context", colab.point_colab_buttons, priority=502)  # after the theme's
    app.connect("build-finished", colab.write_colab_notebooks)
    app.connect("config-inited", _published_addresses)
    app.setup_extension("digitcourse.a11y")  # WCAG 2.1 AA: folded cells named by what they show
    return {"parallel_read_safe": True, "parallel_write_safe": True}
