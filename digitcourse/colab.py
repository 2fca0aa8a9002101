"""The notebooks that Google Colab opens, generated from the chapters with plain Markdown.

Colab renders Markdown and LaTeX, not MyST: a chapter's roles (``{glue:text}``, ``{ref}``,
``{footcite:p}`` …), directives (admonitions, exercises, solutions) and labels would show there as
raw text. d2l publishes separate notebooks for Colab for the same reason. No maintained tool turns
MyST into plain Markdown with the book's own values (jupytext converts between notebook *formats*
and keeps MyST as it is; mystmd's exports target its own site, PDF and Word; nbconvert's
preprocessors know nothing of MyST), so this module does it for the few constructs the book uses:

- ``{glue:text}`key:format``` becomes the value that the book's build glued (``myst_nb``'s own
  formatting: :func:`myst_nb.core.variables.format_plain_text`);
- ``{ref}``, ``{numref}`` and ``{eq}`` become links into the published book, with the text the book
  shows ("Fig. 5.2", "(2.1)", a section title);
- ``{footcite:p}`` becomes "(Author, year)" linked to the chapter's references, and
  ``{footbibliography}`` the list of the chapter's references;
- admonitions and exercises become block quotes with a bold title, solutions are folded
  (``<details>``), ``{math}`` becomes ``$$ … $$``, and ``(label)=`` lines and equation labels go;
- code cells that the book hides (``remove-cell``, ``hide-cell``, ``hide-input``) become Colab
  form cells (``cellView: form`` with a ``#@title``): folded, and still executed, so the notebook
  runs exactly as the chapter does. Code cells inside a solution are folded the same way.

Anything else in MyST syntax raises :class:`UnsupportedMyST`, so that a new construct in a
chapter fails the build instead of reaching a learner as raw text. :func:`raw_myst` finds what is
left, for the tests.

The Sphinx extension :mod:`digitcourse.book` calls :func:`write_colab_notebooks` when the book's
HTML build finishes, writing ``_build/colab/<docname>.ipynb`` (so ``_build/colab/chapters/…``);
:func:`colab_url` derives where the book's Colab buttons point: those notebooks on the branch
``digitcourse_colab_branch`` of the repository in ``_config.yml``, which the publishing workflow
updates.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

#: How a page of the book is addressed on Colab's GitHub loader (https://colab.research.google.com/github/).
COLAB_GITHUB = "https://colab.research.google.com/github"

NOTICE = (
    "*This is the Colab edition of [{title}]({url}) from the book "
    "[digitcourse]({home}), generated from the book's source. Numbers in the text come from the "
    "book's build ({mode} mode); your run may differ slightly.*"
)

#: The titles of the folded code cells, by the tag that hides the cell in the book.
FORM_TITLES = {
    "remove-cell": "Checks behind the numbers in the text (run by the book's build; nothing to read here)",
    "hide-cell": "Setup",
    "hide-input": "Code of the figure",
}

_ROLE = re.compile(r"\{(?P<role>[a-z][\w:-]*)\}`(?P<content>[^`]*)`")
_FENCE_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w-]+)\}[ \t]*(?P<args>.*?)\s*$")
_OPTION = re.compile(r"^:(?P<key>[\w-]+):[ \t]*(?P<value>.*?)\s*$")
_LABEL_LINE = re.compile(r"^\([\w-]+\)=[ \t]*\n?", re.MULTILINE)
_EQUATION_LABEL = re.compile(r"^\$\$[ \t]*\([\w-]+\)[ \t]*$", re.MULTILINE)
_RAW_MYST = re.compile(
    r"\{[a-z][\w:-]*\}`|^(?:`{3,}|:{3,})\{|^:{3,}\s*$|^:[\w-]+:[ \t]|^\([\w-]+\)=\s*$"
    r"|^\$\$[ \t]*\([\w-]+\)", re.MULTILINE)


class UnsupportedMyST(ValueError):
    """A chapter uses MyST that :mod:`digitcourse.colab` cannot turn into plain Markdown."""


@dataclass
class Target:
    """Where a label points in the published book, and the text the book shows for it."""

    docname: str
    anchor: str
    text: str


@dataclass
class Book:
    """What a chapter's Markdown refers to outside itself.

    Attributes
    ----------
    base_url : str
        The published book's address, ending in ``/`` (``html_baseurl``).
    targets : dict of str to Target
        Every label (``{ref}``, ``{numref}``, ``{eq}``) by name.
    citations : dict of str to tuple of (str, str)
        Each bibliography key: its short author-year form ("LeCun et al., 1998") and its full
        reference in Markdown.
    """

    base_url: str
    targets: dict = field(default_factory=dict)
    citations: dict = field(default_factory=dict)

    def url(self, docname: str, anchor: str = "") -> str:
        return f"{self.base_url}{docname}.html" + (f"#{anchor}" if anchor else "")

    def link(self, label: str, text: str | None = None) -> str:
        try:
            target = self.targets[label]
        except KeyError:
            raise UnsupportedMyST(f"unknown label {label!r}: it is in no page of the book") from None
        return f"[{text or target.text}]({self.url(target.docname, target.anchor)})"


def raw_myst(text: str) -> list[str]:
    """The MyST constructs left in Markdown ``text``: roles, directive fences (and bare colon
    fences, which only MyST closes), directive options, labels.

    Returns
    -------
    list of str
        Each match's text; empty where ``text`` is plain Markdown.
    """
    return [m.group(0) for m in _RAW_MYST.finditer(text)]


def _format_glue(data: dict, fmt: str) -> str:
    from myst_nb.core.variables import format_plain_text

    return format_plain_text(data["data"]["text/plain"], fmt)


class _Converter:
    """Turns one chapter's Markdown cells into plain Markdown (one instance per chapter)."""

    def __init__(self, docname: str, glue: dict, book: Book):
        self.docname, self.glue, self.book = docname, glue, book
        self.cited: list[str] = []

    # Inline roles ------------------------------------------------------------------------------
    def role(self, match: re.Match) -> str:
        role, content = match["role"], match["content"]
        if role == "glue:text":
            key, _, fmt = content.partition(":")
            if key not in self.glue:
                raise UnsupportedMyST(f"{self.docname}: no value was glued under {key!r}")
            return _format_glue(self.glue[key], fmt)
        if role in ("ref", "numref", "eq"):
            text, label = None, content
            explicit = re.fullmatch(r"(?P<text>.+?)\s*<(?P<label>[\w-]+)>", content)
            if explicit:
                text, label = explicit["text"], explicit["label"]
            if role == "numref" and text and "%s" in text:
                number = self.book.targets.get(label, Target("", "", "")).text.split(" ")[-1]
                text = text.replace("%s", number)
            return self.book.link(label, text)
        if role in ("footcite:p", "footcite", "cite:p", "cite"):
            links = []
            for key in (k.strip() for k in content.split(",")):
                if key not in self.book.citations:
                    raise UnsupportedMyST(f"{self.docname}: unknown citation {key!r}")
                if key not in self.cited:
                    self.cited.append(key)
                links.append(f"[{self.book.citations[key][0]}]({self.book.url(self.docname, 'references')})")
            return "(" + "; ".join(links) + ")"
        raise UnsupportedMyST(f"{self.docname}: the role {{{role}}} has no plain-Markdown form here")

    # Directives --------------------------------------------------------------------------------
    def directive(self, name: str, args: str, options: dict, body: str) -> str:
        body = self.markdown(body).strip("\n")
        if name == "admonition" or name in ("note", "tip", "important", "warning", "seealso"):
            title = args or name.capitalize()
            return _quote(f"**{title}**\n\n{body}")
        if name == "exercise":
            label = options.get("label")
            title = self.book.targets[label].text if label in self.book.targets else "Exercise"
            return _quote(f"**{title}**{' ' + args if args else ''}\n\n{body}")
        if name == "solution":
            return _details("Solution", body)
        if name == "math":
            return f"$$\n{body}\n$$"
        if name == "footbibliography":
            return "\n".join(f"- {self.book.citations[key][1]}" for key in self.cited)
        if name == "tableofcontents":
            return ""
        raise UnsupportedMyST(f"{self.docname}: the directive {{{name}}} has no plain-Markdown form here")

    def markdown(self, text: str) -> str:
        """Plain Markdown for ``text`` (directives, then labels, then inline roles). What lies within
        a solution (``{solution-start}`` … ``{solution-end}``, which may span cells) is folded."""
        out, lines, i = [], text.split("\n"), 0  # out: (line, within a solution)
        while i < len(lines):
            opened = _FENCE_OPEN.match(lines[i])
            if not opened:
                out.append((lines[i], self.in_solution))
                i += 1
                continue
            fence, name, args = opened["fence"], opened["name"], opened["args"]
            i += 1
            options = {}
            while i < len(lines) and (option := _OPTION.match(lines[i])):
                options[option["key"]] = option["value"]
                i += 1
            start = i
            while i < len(lines) and lines[i].strip() != fence:
                i += 1
            if i == len(lines):
                raise UnsupportedMyST(f"{self.docname}: the directive {{{name}}} is never closed")
            body = "\n".join(lines[start:i])
            i += 1
            if name == "solution-start":
                out.append(("**Solution**, folded below: open each part to see it.", False))
                self.in_solution = True
            elif name == "solution-end":
                self.in_solution = False
            else:
                out.append((self.directive(name, args, options, body), self.in_solution))
        blocks = []  # consecutive lines within a solution, folded together
        for within, group in itertools.groupby(out, key=lambda item: item[1]):
            block = "\n".join(line for line, _ in group)
            if within and block.strip():
                block = _details("Solution", block.strip("\n"))
            blocks.append(block)
        text = "\n".join(blocks)
        text = _LABEL_LINE.sub("", text)
        text = _EQUATION_LABEL.sub("$$", text)
        return _ROLE.sub(self.role, text)

    in_solution = False


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.split("\n"))


def _details(summary: str, body: str) -> str:
    return f"<details>\n<summary>{summary}</summary>\n\n{body}\n\n</details>"


def _form_cell(cell: dict, title: str, *, own_title: bool = True) -> dict:
    """``cell`` as a Colab form cell: its code folded under ``title`` (or under the cell's own first
    comment, where it has one and ``own_title``), still executed."""
    source = "".join(cell["source"])
    first = source.partition("\n")[0]
    if own_title and first.startswith("# ") and not first.startswith("#@"):
        title = first[2:].rstrip(" .:;,")  # the cell's own first comment says what it is
    cell["source"] = f"#@title {title}\n{source}"
    cell["metadata"]["cellView"] = "form"
    return cell


def to_colab(notebook: dict, *, docname: str, glue: dict, book: Book, title: str, mode: str) -> dict:
    """The Colab edition of one chapter.

    Parameters
    ----------
    notebook : dict
        The chapter as committed (nbformat 4, no outputs).
    docname : str
        Its name in the book, e.g. ``"chapters/05_cnn"``.
    glue : dict
        What the book's build glued in this chapter: ``{key: {"data": {"text/plain": …}}}``, as
        myst-nb writes it to ``_build/jupyter_execute/<docname>.glue.json``.
    book : Book
        Labels, citations and the published book's address.
    title : str
        The chapter's title, for the notice at the top.
    mode : str
        The mode the book was built in (``"full"`` or ``"quick"``), for the notice.

    Returns
    -------
    dict
        A new notebook: plain Markdown, hidden code folded as form cells, no outputs.

    Raises
    ------
    UnsupportedMyST
        If a Markdown cell uses MyST that has no plain form here, a glued key is missing, or a
        label or citation is unknown.
    """
    converter = _Converter(docname, glue, book)
    cells = []
    for original in notebook["cells"]:
        cell = copy.deepcopy(original)
        tags = cell.get("metadata", {}).pop("tags", [])
        if cell["cell_type"] == "markdown":
            cell["source"] = text = converter.markdown("".join(cell["source"]))
            if left := raw_myst(text):
                raise UnsupportedMyST(f"{docname}: raw MyST left in a Markdown cell: {left}")
        elif cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
            hiding = next((tag for tag in FORM_TITLES if tag in tags), None)
            if hiding:  # a check's comment quotes the prose it backs: not a title
                cell = _form_cell(cell, FORM_TITLES[hiding], own_title=hiding != "remove-cell")
            elif converter.in_solution:
                cell = _form_cell(cell, "Solution code")
        cells.append(cell)
    notice = NOTICE.format(title=title, url=book.url(docname), home=book.base_url, mode=mode)
    cells.insert(0, {"cell_type": "markdown", "id": "colab-edition", "metadata": {}, "source": notice})
    metadata = copy.deepcopy(notebook.get("metadata", {}))
    metadata["colab"] = {"provenance": [], "toc_visible": True}
    return {**notebook, "cells": cells, "metadata": metadata}


# The Sphinx side --------------------------------------------------------------------------------


def _repository(config) -> tuple[str, str]:
    """(owner, name) of the repository in ``_config.yml`` (``repository: url:``)."""
    url = config.html_theme_options.get("repository_url", "")
    match = re.fullmatch(r"https://github\.com/(?P<owner>[\w.-]+)/(?P<name>[\w.-]+?)/?", url)
    if not match:
        raise UnsupportedMyST(f"the repository URL {url!r} is not a GitHub repository: Colab cannot open it")
    return match["owner"], match["name"]


def colab_url(config, docname: str) -> str:
    """Where the book's Colab button for ``docname`` points: its Colab edition on the branch
    ``digitcourse_colab_branch`` of the book's repository (derived, never typed)."""
    owner, name = _repository(config)
    return f"{COLAB_GITHUB}/{owner}/{name}/blob/{config.digitcourse_colab_branch}/{docname}.ipynb"


def point_colab_buttons(app, pagename, templatename, context, doctree):
    """``html-page-context`` handler, after the theme's (priority 501): the Colab launch button
    opens the page's Colab edition instead of the chapter as committed."""

    def visit(buttons):
        for button in buttons:
            if isinstance(button, dict):
                if button.get("text") == "Colab" and "url" in button:
                    button["url"] = colab_url(app.config, pagename)
                visit(button.get("buttons", []))

    visit(context.get("header_buttons", []))


def _citations(app) -> dict:
    from pybtex.database import parse_file
    from pybtex.plugin import find_plugin

    style = find_plugin("pybtex.style.formatting", "plain")()
    backend = find_plugin("pybtex.backends", "markdown")()
    citations = {}
    for path in app.config.bibtex_bibfiles:
        entries = parse_file(Path(app.srcdir) / path).entries
        for entry in style.format_entries(entries.values()):
            source = entries[entry.key]
            people = source.persons.get("author") or source.persons.get("editor") or []
            last = [" ".join(p.last_names) for p in people]
            who = (last[0] if len(last) == 1 else f"{last[0]} and {last[1]}" if len(last) == 2
                   else f"{last[0]} et al." if last else source.fields.get("title", entry.key))
            who = who.replace("{", "").replace("}", "")
            full = re.sub(r"\\+url\s*", "", " ".join(entry.text.render(backend).split()))
            citations[entry.key] = (f"{who}, {source.fields.get('year', 'n.d.')}", full)
    return citations


def _targets(env) -> dict:
    """Every label of the book: sections and figures (std domain), equations, exercises."""
    numbers = getattr(env, "toc_fignumbers", {})
    targets = {}
    for label, (docname, anchor, text) in env.domaindata["std"]["labels"].items():
        number = next((n for kind in ("figure", "table", "code-block")
                       if (n := numbers.get(docname, {}).get(kind, {}).get(anchor))), None)
        shown = f"Fig. {'.'.join(map(str, number))}" if number else text
        targets[label] = Target(docname, anchor, shown or label)
    math = env.get_domain("math")
    for label, (docname, number) in math.data.get("objects", {}).items():
        fig = numbers.get(docname, {}).get("displaymath", {}).get(f"equation-{label}")
        targets[label] = Target(docname, f"equation-{label}", f"({'.'.join(map(str, fig or (number,)))})")
    for label, info in getattr(env, "sphinx_exercise_registry", {}).items():
        docname = info.get("docname")
        number = numbers.get(docname, {}).get("exercise", {}).get(label)
        shown = f"Exercise {'.'.join(map(str, number))}" if number else info.get("title") or "Exercise"
        targets[label] = Target(docname, label, shown)
    return targets


def write_colab_notebooks(app, exception):
    """``build-finished`` handler: write every chapter's Colab edition to ``_build/colab/``."""
    if exception is not None or app.builder.format != "html":
        return
    from digitcourse.mode import current_mode

    env = app.env
    base_url = app.config.html_baseurl
    if not base_url.endswith("/"):
        raise UnsupportedMyST(f"html_baseurl must be the published book's address ending in '/', not {base_url!r}")
    book = Book(base_url, _targets(env), _citations(app))
    built = Path(app.outdir).parent
    for docname in sorted(env.found_docs):
        source = Path(env.doc2path(docname))
        if source.suffix != ".ipynb":
            continue
        glue_file = built / "jupyter_execute" / f"{docname}.glue.json"
        glue = json.loads(glue_file.read_text(encoding="utf-8")) if glue_file.is_file() else {}
        notebook = json.loads(source.read_text(encoding="utf-8"))
        title = env.titles[docname].astext()
        colab = to_colab(notebook, docname=docname, glue=glue, book=book, title=title, mode=current_mode().name)
        target = built / "colab" / f"{docname}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(colab, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
