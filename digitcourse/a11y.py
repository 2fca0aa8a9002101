"""Accessibility fixes for the book's HTML (WCAG 2.1 AA), as a Sphinx extension.

Loaded by :mod:`digitcourse.book`. The browser tests run axe-core (WCAG 2.0/2.1, levels A and AA)
over every page in the light and the dark theme (``tests/browser/test_accessibility.py``); what it
found in the theme and in myst-nb's markup is fixed here and in ``_static/a11y.css`` and
``_static/a11y.js``, none of it by turning a rule off:

- **Folded code cells say what they do.** myst-nb gives the ``<summary>`` of a cell folded with
  ``hide-input``/``hide-cell`` the name "Toggle hidden content" (``aria-label``), while it shows
  "Show code cell source": a reader who uses speech input says what they see, and the name must
  contain it (WCAG 2.5.3, Label in Name; axe's ``label-content-name-mismatch``). The summary is
  written here without the ``aria-label``, so that its name is its visible text.
- **The header's buttons** (pydata-sphinx-theme's search field and colour-mode switch) get names
  that contain their visible text, in ``_static/a11y.js`` (both buttons exist only with JavaScript).
- **Unfolded code can be scrolled from the keyboard**: a code block too wide for the page, inside a
  folded cell, gets its tab stop when the reader unfolds it (``_static/a11y.js``; the theme sets
  tab stops only when the page loads, while it is folded; WCAG 2.1.1).
- **Text reaches a contrast of 4.5:1** in both themes (WCAG 1.4.3): the colours of Keras' model
  summaries (rich) and of ANSI escape codes are replaced by darker or lighter ones, and so is the
  link colour inside sphinx-exercise's blue exercise boxes, in ``_static/a11y.css``.

Jupyter Book adds every ``.css`` and ``.js`` file of the project's ``_static`` folder to every page
(``html_static_path``, ``html_css_files`` and ``html_js_files``); listing them in ``_config.yml`` too
would load them twice.
"""

from __future__ import annotations

from html import escape


def visit_folded_cell(self, node) -> None:
    """myst-nb's ``visit_HideCellInput`` without ``aria-label`` on the ``<summary>``: its name is the
    text it shows ("Show code cell source"; "Hide code cell source" once open)."""
    classes = " ".join(node["classes"])
    self.body.append(f'<details class="admonition hide {classes}">\n')
    self.body.append("<summary>\n")
    self.body.append(f'<p class="collapsed admonition-title">{escape(node["prompt_show"])}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{escape(node["prompt_hide"])}</p>\n')
    self.body.append("</summary>\n")


def setup(app):
    """Sphinx extension (loaded by :mod:`digitcourse.book`): the folded cells' markup."""
    app.setup_extension("myst_nb")  # already loaded by Jupyter Book; its node is replaced below
    from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput

    app.add_node(HideCodeCellNode, override=True, html=(visit_folded_cell, depart_HideCellInput))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
