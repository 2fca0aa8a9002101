"""Checks on the chapters themselves (their execution is `pytest --nbmake chapters`)."""

import ast
import importlib
import inspect
import json
import re
import textwrap
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
SAVE_MARK = re.compile(r"^#@save (?P<module>[\w.]+)\s*$")


def code_cells(path):
    cells = json.loads(path.read_text())["cells"]
    return [c for c in cells if c["cell_type"] == "code"]


def source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_there_are_chapters_named_in_reading_order():
    assert CHAPTERS, "no chapters found"
    numbers = [int(re.match(r"(\d\d)_[a-z0-9_]+\.ipynb$", p.name).group(1)) for p in CHAPTERS]
    assert numbers == list(range(1, len(CHAPTERS) + 1))


def test_toc_lists_every_chapter_once():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [ch["file"] for part in toc["parts"] for ch in part["chapters"]]
    listed = [f for f in files if f.startswith("chapters/")]
    assert listed == [f"chapters/{p.stem}" for p in CHAPTERS]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path):
    dirty = [i for i, c in enumerate(code_cells(path)) if c.get("outputs") or c.get("execution_count")]
    assert not dirty, f"{path.name}: code cells {dirty} have outputs or execution counts; clear them"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_colab_cell_installs_from_the_configured_repository(path):
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    first = source(code_cells(path)[0])
    assert '"google.colab" in sys.modules' in first, f"{path.name}: first code cell is not the Colab cell"
    assert re.search(r"pip install .*git\+" + re.escape(url) + r"[\"'@]", first), (
        f"{path.name}: the Colab cell must install git+{url} (the repository in _config.yml)")


def python_source(cell):
    """The cell's code with IPython's magics and shell commands (%pip, %env, !pip) turned into ``pass``."""
    return "\n".join(re.sub(r"^(\s*)[%!].*", r"\1pass", line) for line in source(cell).splitlines())


def names_in(cell):
    """(defined, used): the names a code cell binds outside its functions (assignments, imports,
    defs, loop variables) and the names it reads, in its functions too, less their arguments and
    local variables. IPython's magics and shell commands (%pip, %env, !pip) are left out."""
    text = python_source(cell)
    defined, used = set(), set()

    def visit(node, scope_defined, scope_used):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            if not isinstance(node, ast.Lambda):
                scope_defined.add(node.name)
            local_defined = {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
            local_used = set()
            for child in node.body if isinstance(node.body, list) else [node.body]:
                visit(child, local_defined, local_used)
            scope_used |= local_used - local_defined
            return
        if isinstance(node, ast.Name):
            (scope_used if isinstance(node.ctx, ast.Load) else scope_defined).add(node.id)
        elif isinstance(node, ast.ClassDef):
            scope_defined.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            scope_defined.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child, scope_defined, scope_used)

    visit(ast.parse(text), defined, used)
    return defined, used


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_shown_code_uses_no_name_that_only_removed_cells_define(path):
    """A reader sees every cell but those tagged remove-cell: a name the code shown uses must be
    defined where the reader can see it (names a cell defines itself are not checked)."""
    defined_by = {}  # name: whether every cell so far that defines it is removed
    hidden = []
    for index, cell in enumerate(code_cells(path)):
        removed = "remove-cell" in cell["metadata"].get("tags", [])
        defined, used = names_in(cell)
        if not removed:
            hidden += [(index, name) for name in sorted(used - defined) if defined_by.get(name)]
        for name in defined:
            defined_by[name] = removed and defined_by.get(name, True)
    assert not hidden, f"{path.name}: code cells use names only removed cells define: {hidden}"


def saved_cells():
    """(chapter, module, source) of each cell marked '#@save module'."""
    for path in CHAPTERS:
        for cell in code_cells(path):
            text = source(cell)
            mark = SAVE_MARK.match(text.splitlines()[0]) if text else None
            if mark:
                yield path.name, mark["module"], text


def saved_definitions():
    """(chapter, module, name, source) of each def/class in a cell marked '#@save module'."""
    found = []
    for chapter, module, text in saved_cells():
        lines = text.splitlines()
        for node in ast.parse(text).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])  # decorators too
                found.append((chapter, module, node.name, "\n".join(lines[first - 1:node.end_lineno])))
    return found


def test_some_code_is_saved_to_the_package():
    assert saved_definitions(), "no '#@save' cells found: the drift check below would check nothing"


@pytest.mark.parametrize("chapter, module, name, code", saved_definitions(),
                         ids=lambda v: v if isinstance(v, str) and "\n" not in v else "")
def test_saved_code_matches_the_package(chapter, module, name, code):
    package_code = inspect.getsource(getattr(importlib.import_module(module), name))
    assert textwrap.dedent(package_code).strip() == code.strip(), (
        f"{name} in {chapter} differs from {module}.{name}: change both the same way")


def saved_constants():
    """(chapter, module, statement) of each top-level assignment in a cell marked '#@save module'."""
    return [(chapter, module, ast.get_source_segment(text, node)) for chapter, module, text in saved_cells()
            for node in ast.parse(text).body if isinstance(node, (ast.Assign, ast.AnnAssign))]


@pytest.mark.parametrize("chapter, module, statement", saved_constants(), ids=lambda v: v.split("=")[0].strip())
def test_saved_constants_match_the_package(chapter, module, statement):
    assert statement in inspect.getsource(importlib.import_module(module)), (
        f"{chapter} sets {statement!r}, which {module} does not: change both the same way")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_private_name_of_the_course_is_imported_unshown(path):
    """A chapter shows what it uses: it imports no _private name from digitcourse."""
    private = [alias.name for cell in code_cells(path) for node in ast.walk(ast.parse(python_source(cell)))
               if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("digitcourse")
               for alias in node.names if alias.name.startswith("_")]
    assert not private, f"{path.name} imports {private} from digitcourse: show them on the page instead"
