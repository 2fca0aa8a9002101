import pytest

import digitcourse as dc


@pytest.mark.parametrize("value, expected", [
    (None, "full"), ("", "full"), ("0", "full"), ("false", "full"),
    ("1", "quick"), ("TRUE", "quick"), (" yes ", "quick"),
])
def test_mode_follows_the_environment_variable(value, expected, monkeypatch):
    if value is None:
        monkeypatch.delenv("DIGITCOURSE_QUICK", raising=False)
    else:
        monkeypatch.setenv("DIGITCOURSE_QUICK", value)
    assert dc.current_mode().name == expected


def test_unknown_value_is_an_error(monkeypatch):
    monkeypatch.setenv("DIGITCOURSE_QUICK", "fast")
    with pytest.raises(ValueError, match="set it to 1 for quick mode"):
        dc.current_mode()


def test_quick_mode_is_smaller_in_data_and_epochs():
    quick, full = dc.mode.QUICK, dc.mode.FULL
    assert quick.train_size < 60000 - full.val_size and quick.val_size < full.val_size
    assert set(quick.epochs) == set(full.epochs)
    assert all(quick.epochs[k] <= full.epochs[k] for k in full.epochs)
