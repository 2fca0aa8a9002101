"""The chapters' Colab editions (digitcourse.colab): plain Markdown, the build's values, hidden code folded."""

import json
import os
from pathlib import Path
import types

import pytest

from digitcourse import colab

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
BUILT = Path(os.environ.get("DIGITCOURSE_BOOK_HTML", ROOT / "_build" / "html")).parent / "colab" / "chapters"

BOOK = colab.Book(
    "https://example.org/book/",
    targets={"fig-digits": colab.Target("chapters/01_data", "fig-digits", "Fig. 1.2"),
             "sec-split": colab.Target("chapters/02_prep", "sec-split", "A validation split"),
             "eq-softmax": colab.Target("chapters/03_net", "equation-eq-softmax", "(3.1)"),
             "ex-one": colab.Target("chapters/01_data", "ex-one", "Exercise 1.1")},
    citations={"lecun1998": ("LeCun et al., 1998", "Yann LeCun … *Proc. IEEE*, 1998."),
               "grother1995": ("Grother, 1995", "Patrick J. Grother. NIST SD 19, 1995.")},
)
GLUE = {"acc": {"data": {"text/plain": "0.99321"}}, "n": {"data": {"text/plain": "55000"}},
        "mode": {"data": {"text/plain": "'full'"}}}


def notebook(*cells):
    return {"cells": [{"cell_type": kind, "id": f"c{i}", "metadata": meta, "source": text,
                       **({"outputs": [], "execution_count": None} if kind == "code" else {})}
                      for i, (kind, text, meta) in enumerate(cells)],
            "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}


def convert(*cells):
    nb = colab.to_colab(notebook(*cells), docname="chapters/01_data", glue=GLUE, book=BOOK,
                        title="1. The data", mode="full")
    return nb["cells"][1:]  # after the notice


def md(text):
    return ("markdown", text, {})


def test_glued_values_are_written_with_the_books_format():
    [cell] = convert(md("It reaches {glue:text}`acc:.2%` on {glue:text}`n:,` images ({glue:text}`mode` mode)."))
    assert cell["source"] == "It reaches 99.32% on 55,000 images (full mode)."


def test_a_missing_glued_value_fails_instead_of_reaching_the_reader():
    with pytest.raises(colab.UnsupportedMyST, match="no value was glued under 'nope'"):
        convert(md("{glue:text}`nope:.2%`"))


def test_references_become_links_into_the_published_book():
    [cell] = convert(md("See {numref}`fig-digits`, {ref}`sec-split`, {ref}`the split <sec-split>`, "
                        "equation {eq}`eq-softmax` and {ref}`ex-one`."))
    assert cell["source"] == (
        "See [Fig. 1.2](https://example.org/book/chapters/01_data.html#fig-digits), "
        "[A validation split](https://example.org/book/chapters/02_prep.html#sec-split), "
        "[the split](https://example.org/book/chapters/02_prep.html#sec-split), "
        "equation [(3.1)](https://example.org/book/chapters/03_net.html#equation-eq-softmax) and "
        "[Exercise 1.1](https://example.org/book/chapters/01_data.html#ex-one).")
    with pytest.raises(colab.UnsupportedMyST, match="unknown label 'sec-nowhere'"):
        convert(md("{ref}`sec-nowhere`"))


def test_citations_and_the_chapters_references():
    cells = convert(md("MNIST {footcite:p}`lecun1998,grother1995`."), md("## References\n\n```{footbibliography}\n```"))
    assert cells[0]["source"] == (
        "MNIST ([LeCun et al., 1998](https://example.org/book/chapters/01_data.html#references); "
        "[Grother, 1995](https://example.org/book/chapters/01_data.html#references)).")
    assert cells[1]["source"] == ("## References\n\n- Yann LeCun … *Proc. IEEE*, 1998.\n"
                                  "- Patrick J. Grother. NIST SD 19, 1995.")


def test_labels_admonitions_and_math_become_plain_markdown():
    [cell] = convert(md("(ch-data)=\n# The data\n\n:::{admonition} Learning objectives\n:class: tip\n"
                        "After this chapter you can\n- load MNIST.\n:::\n\n$$\nx = 1\n$$ (eq-x)\n\n"
                        "```{math}\n:label: eq-y\ny = 2\n```"))
    assert cell["source"] == ("# The data\n\n> **Learning objectives**\n>\n> After this chapter you can\n"
                              "> - load MNIST.\n\n$$\nx = 1\n$$\n\n$$\ny = 2\n$$")


def test_exercises_and_solutions_spanning_cells_are_folded():
    cells = convert(
        md("```{exercise}\n:label: ex-one\n\nTrain it.\n```\n\n````{solution-start} ex-one\n:class: dropdown\n````"),
        ("code", "model.fit(x, y)", {}),
        md("It reaches {glue:text}`acc:.1%`.\n\n````{solution-end}\n````\n\n## Next"),
        md("```{solution} ex-one\n:class: dropdown\n\nShort answer.\n```"),
        ("code", "after_the_solution = True", {}),
    )
    assert cells[0]["source"] == ("> **Exercise 1.1**\n>\n> Train it.\n\n"
                                  "**Solution**, folded below: open each part to see it.")
    assert cells[1]["source"] == "#@title Solution code\nmodel.fit(x, y)"
    assert cells[1]["metadata"]["cellView"] == "form"
    assert cells[2]["source"] == "<details>\n<summary>Solution</summary>\n\nIt reaches 99.3%.\n\n</details>\n\n## Next"
    assert cells[3]["source"] == "<details>\n<summary>Solution</summary>\n\nShort answer.\n\n</details>"
    assert cells[4]["source"] == "after_the_solution = True" and "cellView" not in cells[4]["metadata"]


def test_hidden_code_is_folded_as_form_cells_and_still_runs():
    cells = convert(("code", "dc.glue('acc', acc)\nassert acc > 0.9", {"tags": ["remove-cell"]}),
                    ("code", "# In Google Colab, install the course package.\nimport sys", {"tags": ["hide-cell"]}),
                    ("code", "plt.plot(x)", {"tags": ["hide-input"]}),
                    ("code", "x = 1", {}))
    assert cells[0]["source"].startswith("#@title Checks behind the numbers in the text")
    assert cells[0]["source"].endswith("\ndc.glue('acc', acc)\nassert acc > 0.9")
    assert cells[1]["source"] == ("#@title In Google Colab, install the course package\n"
                                  "# In Google Colab, install the course package.\nimport sys")
    assert cells[2]["source"] == "#@title Code of the figure\nplt.plot(x)"
    assert [c["metadata"].get("cellView") for c in cells] == ["form", "form", "form", None]
    assert all("tags" not in c["metadata"] for c in cells)


def test_the_notice_says_where_the_numbers_come_from():
    nb = colab.to_colab(notebook(md("# Title")), docname="chapters/01_data", glue={}, book=BOOK,
                        title="1. The data", mode="full")
    notice = nb["cells"][0]["source"]
    assert "[1. The data](https://example.org/book/chapters/01_data.html)" in notice
    assert "Numbers in the text come from the book's build (full mode); your run may differ slightly." in notice
    assert nb["metadata"]["colab"] == {"provenance": [], "toc_visible": True}


def test_myst_without_a_plain_form_fails_the_build():
    with pytest.raises(colab.UnsupportedMyST, match="directive {figure}"):
        convert(md("```{figure} x.png\nA caption\n```"))
    with pytest.raises(colab.UnsupportedMyST, match="role {term}"):
        convert(md("A {term}`logit`."))


def test_the_colab_url_is_derived_from_the_repository():
    config = types.SimpleNamespace(html_theme_options={"repository_url": "https://github.com/org/repo"},
                                   digitcourse_colab_branch="colab")
    assert colab.colab_url(config, "chapters/05_cnn") == (
        "https://colab.research.google.com/github/org/repo/blob/colab/chapters/05_cnn.ipynb")


def built_editions():
    if not BUILT.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{BUILT} is missing: build the book first (jupyter-book build .)")
        pytest.skip(f"{BUILT} is missing: build the book first (jupyter-book build .)")
    return {p.name: json.loads(p.read_text()) for p in sorted(BUILT.glob("*.ipynb"))}


def test_the_build_writes_one_colab_edition_per_chapter_with_no_raw_myst():
    editions = built_editions()
    assert sorted(editions) == [p.name for p in CHAPTERS]
    for name, nb in editions.items():
        for cell in nb["cells"]:
            if cell["cell_type"] == "markdown":
                text = "".join(cell["source"])
                assert not colab.raw_myst(text), (name, colab.raw_myst(text))
        chapter = json.loads((ROOT / "chapters" / name).read_text())
        code = [c["source"] for c in chapter["cells"] if c["cell_type"] == "code"]
        edition_code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
        # Every code cell is there, in order, folded or not: the edition runs as the chapter does.
        unfolded = [s.split("\n", 1)[1] if s.startswith("#@title") else s for s in edition_code]
        assert unfolded == ["".join(s) for s in code], name


def test_a_checks_comment_is_not_its_title():
    [cell] = convert(("code", '# "The pair the classifier confuses most."\nassert ok', {"tags": ["remove-cell"]}))
    assert cell["source"].startswith("#@title Checks behind the numbers in the text")


def test_the_books_references_in_plain_markdown():
    app = types.SimpleNamespace(config=types.SimpleNamespace(bibtex_bibfiles=["references.bib"]), srcdir=ROOT)
    citations = colab._citations(app)
    short, full = citations["lecun_mnist"]
    assert short == "LeCun et al., 1998"
    assert "url" not in full and "http://yann" in full, full
    assert citations["grother1995nist"][0] == "Grother, 1995"
