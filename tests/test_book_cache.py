"""The book's execution cache (digitcourse.book): reused after a prose edit, never after a code
change or an unfinished build. Saved models (digitcourse.storage): retrained after a change to their
training code, not to its comments or docstrings."""

import ast
import json
import shutil
import types

import numpy as np
import pytest

from digitcourse import book, storage


def write_notebook(path, code="x = 1", prose="Some prose."):
    cells = [{"cell_type": "markdown", "id": "prose", "metadata": {}, "source": [prose]},
             {"cell_type": "code", "id": "code", "metadata": {}, "source": [code], "outputs": [],
              "execution_count": None}]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))


def test_the_fingerprint_follows_code_and_mode_not_prose(tmp_path, monkeypatch):
    monkeypatch.delenv("DIGITCOURSE_QUICK", raising=False)
    notebook = tmp_path / "ch.ipynb"
    write_notebook(notebook)
    full = book.execution_fingerprint([notebook])
    write_notebook(notebook, prose="Other prose, same code.")
    assert book.execution_fingerprint([notebook]) == full
    write_notebook(notebook, code="x = 2")
    assert book.execution_fingerprint([notebook]) != full
    write_notebook(notebook)
    monkeypatch.setenv("DIGITCOURSE_QUICK", "1")
    assert book.execution_fingerprint([notebook]) != full
    monkeypatch.setattr(storage, "code_fingerprint", lambda modules=None: "changed package")
    monkeypatch.delenv("DIGITCOURSE_QUICK")
    assert book.execution_fingerprint([notebook]) != full


@pytest.mark.parametrize("library",
                         ["numpy", "tensorflow", "keras", "scipy", "scikit-learn", "pillow"])
def test_the_fingerprints_follow_the_versions_of_the_libraries(tmp_path, monkeypatch, library):
    notebook = tmp_path / "ch.ipynb"
    write_notebook(notebook)
    before = book.execution_fingerprint([notebook]), storage.training_fingerprint()
    version = storage.metadata.version
    monkeypatch.setattr(storage.metadata, "version",
                        lambda name: "99.0" if name == library else version(name))
    after = book.execution_fingerprint([notebook]), storage.training_fingerprint()
    assert after[0] != before[0]
    assert (after[1] != before[1]) == (library in storage.TRAINING_LIBRARIES)


class FakeEnv:
    def __init__(self, folder, names, cache):
        self.folder, self.found_docs = folder, set(names)
        self.mystnb_config = types.SimpleNamespace(execution_mode="cache", execution_cache_path=str(cache))

    def doc2path(self, docname):
        return self.folder / f"{docname}.ipynb"


def build(env, added=(), changed=(), error=None):
    """What the extension does in one build: the notebooks it adds to those Sphinx re-reads."""
    app = types.SimpleNamespace(env=env)
    outdated = book._reexecute_if_stale(app, env, set(added), set(changed), set())
    book._stamp_if_finished(app, error)
    return outdated


def test_a_code_change_empties_the_cache_and_reexecutes_every_notebook(tmp_path):
    for name in ("a", "b"):
        write_notebook(tmp_path / f"{name}.ipynb")
    cache = tmp_path / "cache"
    env = FakeEnv(tmp_path, ["a", "b"], cache)
    # First build: nothing cached yet, so every notebook that Sphinx would not re-read anyway is added.
    assert build(env, added={"a"}) == ["b"]
    (cache / "executed-output").write_text("cached")
    # A prose edit: the cache stays, nothing more is re-read.
    write_notebook(tmp_path / "b.ipynb", prose="edited")
    assert build(env, changed={"b"}) == []
    assert (cache / "executed-output").exists()
    # A code edit in one notebook: the cache is emptied and both are read (executed) again.
    write_notebook(tmp_path / "a.ipynb", code="x = 3")
    assert build(env, changed={"a"}) == ["b"]
    assert not (cache / "executed-output").exists()


def test_only_a_finished_build_vouches_for_the_cache(tmp_path, monkeypatch):
    for name in ("a", "b"):
        write_notebook(tmp_path / f"{name}.ipynb")
    cache = tmp_path / "cache"
    env = FakeEnv(tmp_path, ["a", "b"], cache)
    assert build(env, added={"a", "b"}) == []
    assert (cache / book.FINGERPRINT_FILE).is_file()
    # A package change, then a build that stops with an error after executing one notebook.
    monkeypatch.setattr(storage, "code_fingerprint", lambda modules=None: "changed package")
    assert build(env, error=RuntimeError("a cell raised")) == ["a", "b"]
    (cache / "executed-output").write_text("cached")
    assert not (cache / book.FINGERPRINT_FILE).exists()
    # The next build, with nothing changed since, still has Sphinx re-read every notebook from an
    # emptied cache: no stamp vouches for what the stopped build left there.
    assert build(env) == ["a", "b"]
    assert not (cache / "executed-output").exists()
    # Finished, it is stamped: the build after it reuses the cache.
    (cache / "executed-output").write_text("cached")
    assert build(env) == []
    assert (cache / "executed-output").exists()


def test_force_mode_is_left_alone(tmp_path):
    env = FakeEnv(tmp_path, [], tmp_path / "cache")
    env.mystnb_config.execution_mode = "force"
    assert build(env) == []
    assert not (tmp_path / "cache").exists()


BOOK_CONF = """
extensions = ["myst_nb", "digitcourse.book"]
exclude_patterns = ["_build"]
nb_execution_mode = "cache"
nb_execution_raise_on_error = True
"""

# Each chapter logs its execution to the file in DIGITCOURSE_TEST_RUNS and prints the version of the
# package it was computed with (DIGITCOURSE_TEST_CODE, which the test also makes the package's code
# fingerprint): the kernels inherit the environment of the build.
CHAPTER_CODE = """import os
with open(os.environ["DIGITCOURSE_TEST_RUNS"], "a") as runs:
    runs.write("{name}\\n")
print("computed with package " + os.environ["DIGITCOURSE_TEST_CODE"])"""


def sphinx_build(source, interrupt_after=None):
    """Build the book in ``source`` with Sphinx and myst-nb in this process, as jupyter-book does,
    but as plain text (reading and executing are the same, writing is quicker); with
    ``interrupt_after``, press Ctrl-C once that document has been read (and executed)."""
    import io

    from sphinx.application import Sphinx

    built = source / "_build"
    app = Sphinx(source, source, built / "text", built / ".doctrees", "text",
                 status=io.StringIO(), warning=io.StringIO())

    def ctrl_c(app, doctree):
        if app.env.docname == interrupt_after:
            raise KeyboardInterrupt

    app.connect("doctree-read", ctrl_c)
    app.build()


def test_the_build_after_an_interrupted_one_executes_every_chapter(tmp_path, monkeypatch):
    """A real build: Sphinx, myst-nb, jupyter-cache and a Python kernel, on a two-chapter book."""
    pytest.importorskip("myst_nb")
    source = tmp_path / "book"
    source.mkdir()
    (source / "conf.py").write_text(BOOK_CONF)
    (source / "index.md").write_text("# Book\n\n```{toctree}\na\nb\n```\n")
    for name in ("a", "b"):
        write_notebook(source / f"{name}.ipynb", code=CHAPTER_CODE.format(name=name))
    runs = tmp_path / "runs.txt"
    monkeypatch.setenv("DIGITCOURSE_TEST_RUNS", str(runs))
    monkeypatch.delenv("DIGITCOURSE_STRICT", raising=False)  # restored after the extension sets it

    def package(version):
        monkeypatch.setenv("DIGITCOURSE_TEST_CODE", version)
        monkeypatch.setattr(storage, "code_fingerprint", lambda modules=None: version)

    def executed():
        executed = runs.read_text().split() if runs.exists() else []
        runs.unlink(missing_ok=True)
        return sorted(executed)

    def outputs():
        return {name: "computed with package new" in (source / "_build" / "text" / f"{name}.txt")
                .read_text() for name in ("a", "b")}

    package("old")
    sphinx_build(source)
    assert executed() == ["a", "b"]
    # The package changes; the build is interrupted once chapter a has been executed, before b.
    package("new")
    with pytest.raises(KeyboardInterrupt):
        sphinx_build(source, interrupt_after="a")
    assert executed() == ["a"]
    # Sphinx's saved environment still says both chapters are read and up to date; yet the next
    # build executes both again, and neither page keeps the old package's output.
    sphinx_build(source)
    assert executed() == ["a", "b"]
    assert outputs() == {"a": True, "b": True}
    # That build finished, so the one after it reuses every execution.
    sphinx_build(source)
    assert executed() == []
    assert outputs() == {"a": True, "b": True}


def test_model_chapters_are_read_first():
    app = types.SimpleNamespace(config=types.SimpleNamespace(digitcourse_read_first=["ch8", "missing"]))
    docnames = ["intro", "ch6", "ch7", "ch8"]
    book._read_model_chapters_first(app, None, docnames)
    assert docnames == ["ch8", "intro", "ch6", "ch7"]


def test_a_saved_model_is_stale_after_a_package_change(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGITCOURSE_MODELS", str(tmp_path))
    storage.save_model({"W": np.ones(2)}, "tiny", {"epochs": 1})
    model, info = storage.load_model("tiny")
    assert info == {"epochs": 1}
    monkeypatch.setattr(storage, "training_fingerprint", lambda: "after an edit")
    assert storage.load_model("tiny") is None


def edit_first_docstring(source):
    """``source`` with a sentence added to the docstring of its first function that has one."""
    function = next(node for node in ast.walk(ast.parse(source))
                    if isinstance(node, ast.FunctionDef) and ast.get_docstring(node))
    lines = source.splitlines(keepends=True)
    line = function.body[0].lineno - 1
    assert '"""' in lines[line]
    lines[line] = lines[line].replace('"""', '"""Typo fixed. ', 1)
    return "".join(lines)


def test_a_saved_model_is_kept_after_a_docstring_edit_and_retrained_after_a_code_edit(
        tmp_path, monkeypatch):
    package = tmp_path / "digitcourse"
    shutil.copytree(storage.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(storage, "PACKAGE_DIR", package)
    monkeypatch.setenv("DIGITCOURSE_MODELS", str(tmp_path / "models"))
    storage.save_model({"W": np.ones(2)}, "tiny", {"epochs": 1})
    fingerprint = storage.training_fingerprint()
    models = package / "models.py"
    original = models.read_text()
    # The module's docstring and a function's, and comments.
    edited = edit_first_docstring(original).replace('"""', '"""A new first line.\n\n', 1)
    edited = "# A comment.\n" + edited
    edited = edited.replace("\nimport keras\n", "\nimport keras  # Keras 3\n", 1)
    assert edited.count("Typo fixed.") == 1 and "# Keras 3" in edited
    # Layout: the same code written out again by Python (other line breaks, quotes, no comments).
    for source in (edited, ast.unparse(ast.parse(edited))):
        models.write_text(source)
        assert storage.training_fingerprint() == fingerprint
        model, info = storage.load_model("tiny")
        assert info == {"epochs": 1}
    # Code: one statement added.
    models.write_text(edited + "EPSILON = 1e-7\n")
    assert storage.training_fingerprint() != fingerprint
    assert storage.load_model("tiny") is None
    # The book's fingerprint of the package follows every byte: a chapter may show a docstring.
    models.write_text(edited)
    book_fingerprint = storage.code_fingerprint()
    models.write_text(original)
    assert storage.code_fingerprint() != book_fingerprint


def test_the_training_modules_import_no_other_module_of_the_package():
    imported = set()
    for name in storage.TRAINING_MODULES:
        tree = ast.parse((storage.PACKAGE_DIR / f"{name}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "digitcourse":
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("digitcourse."):
                imported.add(node.module.split(".")[1])
            elif isinstance(node, ast.Import):
                imported |= {a.name.split(".")[1] for a in node.names if a.name.startswith("digitcourse.")}
    assert imported and imported <= set(storage.TRAINING_MODULES), imported - set(storage.TRAINING_MODULES)

