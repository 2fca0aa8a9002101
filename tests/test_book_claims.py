"""dc.claim: glue a number and check what the prose says about it; strict runs and readers' runs."""

import os
import warnings

import numpy as np
import pytest

import digitcourse as dc
from digitcourse import book


@pytest.fixture
def glued(monkeypatch):
    """What dc.glue hands to myst-nb, by name."""
    recorded = {}
    myst_nb = pytest.importorskip("myst_nb")
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: recorded.update({name: value}))
    return recorded


@pytest.fixture
def readers_run(monkeypatch):
    monkeypatch.delenv("DIGITCOURSE_STRICT", raising=False)


def test_pytest_runs_strict():
    """The repository's conftest.py makes pytest's runs, and the kernels nbmake starts, strict."""
    assert os.environ["DIGITCOURSE_STRICT"] == "1" and dc.mode.strict()


def test_a_claim_that_holds_is_glued_as_a_python_number(glued, capsys):
    dc.claim("ch0_low", np.float64(0.85), np.float64(0.85) > 0.8)
    assert glued == {"ch0_low": 0.85} and type(glued["ch0_low"]) is float
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("strict", ["1", None])
def test_a_claim_that_fails_stops_the_chapter_in_every_run(glued, strict, monkeypatch):
    if strict is None:
        monkeypatch.delenv("DIGITCOURSE_STRICT", raising=False)
    with pytest.raises(AssertionError, match=r"^ch0_low = 0\.7912, but the book's text says: eight times chance$"):
        dc.claim("ch0_low", np.float32(0.7912), False, says="eight times chance")
    assert "ch0_low" in glued  # glued before the check: the message names the value the prose would show
    with pytest.raises(AssertionError, match=r"^ch0_errors = 3, but the book's text says otherwise$"):
        dc.claim("ch0_errors", np.int64(3), np.int64(3) > 5)


def test_a_machine_claim_fails_a_strict_run(glued):
    with pytest.raises(AssertionError, match=r"ch0_speedup = 1\.05 on this machine, but the book's text "
                                             r"says: less processor time \(DIGITCOURSE_STRICT is set"):
        dc.claim("ch0_speedup", 1.05, 1.05 > 1.2, says="less processor time", machine=True)


def test_a_machine_claim_only_prints_a_line_in_a_readers_run(glued, readers_run, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no Python warning either: one plain line
        dc.claim("ch0_speedup", 1.05, False, says="less processor time", machine=True)
    out = capsys.readouterr().out
    assert out.startswith("Note: on this machine, ch0_speedup = 1.05, while the book's text says: less "
                          "processor time.") and out.count("\n") == 1
    assert glued == {"ch0_speedup": 1.05}


def test_holds_must_be_one_truth_value(glued):
    with pytest.raises(TypeError, match=r"'ch0_bins': holds must be one truth value.*shape \(3,\).*\.all\(\)"):
        dc.claim("ch0_bins", 3, np.array([True, False, True]))


@pytest.mark.parametrize("value, expected", [
    (None, False), ("", False), ("0", False), ("off", False), ("1", True), (" TRUE ", True), ("yes", True)])
def test_strict_follows_the_environment_variable(value, expected, monkeypatch):
    if value is None:
        monkeypatch.delenv("DIGITCOURSE_STRICT", raising=False)
    else:
        monkeypatch.setenv("DIGITCOURSE_STRICT", value)
    assert dc.mode.strict() is expected


def test_strict_refuses_an_unknown_value(monkeypatch):
    monkeypatch.setenv("DIGITCOURSE_STRICT", "always")
    with pytest.raises(ValueError, match="DIGITCOURSE_STRICT='always' is not understood: set it to 1"):
        dc.mode.strict()


def test_the_book_build_makes_the_kernels_it_starts_strict(readers_run):
    class App:  # what setup() calls on Sphinx's application, doing nothing
        def __getattr__(self, name):
            return lambda *args, **kwargs: None

    book.setup(App())
    assert os.environ["DIGITCOURSE_STRICT"] == "1"  # the notebooks' kernels inherit the environment


@pytest.mark.parametrize("mode, seconds, expected", [
    ("1", 125, "2 minutes in quick mode, as this page was built, and about 20 minutes in full mode"),
    ("0", 30, "30 seconds in full mode, as this page was built, and about 3 minutes in quick mode"),
])
def test_glue_runtime_measures_this_mode_and_quotes_the_other(glued, mode, seconds, expected, monkeypatch):
    monkeypatch.setenv("DIGITCOURSE_QUICK", mode)
    monkeypatch.setattr(book, "_STARTED", book.time.perf_counter() - seconds)
    dc.glue_runtime("ch0_runtime", full=1224, quick=174)
    assert glued == {"ch0_runtime": expected}


def test_glue_runtime_does_not_quote_a_figure_it_has_not_measured(glued, monkeypatch):
    monkeypatch.setenv("DIGITCOURSE_QUICK", "1")
    monkeypatch.setattr(book, "_STARTED", book.time.perf_counter() - 125)
    dc.glue_runtime("ch0_runtime", full=None, quick=174)
    assert glued == {"ch0_runtime": "2 minutes in quick mode, as this page was built "
                                     "(full mode not yet measured since the chapter last changed)"}
