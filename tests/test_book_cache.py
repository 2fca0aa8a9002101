"""The book's execution cache (digitcourse.book): reused after a prose edit, never after a code change."""

import ast
import json
import types

import numpy as np

from digitcourse import book, storage


def write_notebook(path, code="x = 1", prose="Some prose."):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": [prose]},
             {"cell_type": "code", "metadata": {}, "source": [code], "outputs": [], "execution_count": None}]
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


class FakeEnv:
    def __init__(self, folder, names, cache):
        self.folder, self.found_docs = folder, set(names)
        self.mystnb_config = types.SimpleNamespace(execution_mode="cache", execution_cache_path=str(cache))

    def doc2path(self, docname):
        return self.folder / f"{docname}.ipynb"


def test_a_code_change_empties_the_cache_and_reexecutes_every_notebook(tmp_path):
    for name in ("a", "b"):
        write_notebook(tmp_path / f"{name}.ipynb")
    cache = tmp_path / "cache"
    env = FakeEnv(tmp_path, ["a", "b"], cache)
    # First build: nothing cached yet, so every notebook that Sphinx would not re-read anyway is added.
    assert book._reexecute_if_stale(None, env, added={"a"}, changed=set(), removed=set()) == ["b"]
    (cache / "executed-output").write_text("cached")
    # A prose edit: the cache stays, nothing more is re-read.
    write_notebook(tmp_path / "b.ipynb", prose="edited")
    assert book._reexecute_if_stale(None, env, added=set(), changed={"b"}, removed=set()) == []
    assert (cache / "executed-output").exists()
    # A code edit in one notebook: the cache is emptied and both are read (executed) again.
    write_notebook(tmp_path / "a.ipynb", code="x = 3")
    assert book._reexecute_if_stale(None, env, added=set(), changed={"a"}, removed=set()) == ["b"]
    assert not (cache / "executed-output").exists()


def test_force_mode_is_left_alone(tmp_path):
    env = FakeEnv(tmp_path, [], tmp_path / "cache")
    env.mystnb_config.execution_mode = "force"
    assert book._reexecute_if_stale(None, env, set(), set(), set()) == []
    assert not (tmp_path / "cache").exists()


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
    monkeypatch.setattr(storage, "code_fingerprint", lambda modules=None: "after an edit")
    assert storage.load_model("tiny") is None


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

