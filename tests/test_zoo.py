"""digitcourse.zoo: a missing model is trained (and said so) and saved; a saved one is loaded."""

import inspect

import numpy as np
import pytest

import digitcourse as dc

zoo = pytest.importorskip("digitcourse.zoo")


def test_load_or_train_trains_once_then_loads(tmp_path, monkeypatch, capsys, mnist):
    monkeypatch.setenv("DIGITCOURSE_MODELS", str(tmp_path))
    monkeypatch.setenv("DIGITCOURSE_QUICK", "1")
    splits = dc.load_splits()
    params, info = zoo.load_or_train("numpy_mlp", splits)
    assert "has not saved one in quick mode with this version of the digitcourse code, so it is trained now" in capsys.readouterr().out
    assert info["epochs"] == dc.mode.QUICK.epochs["numpy_mlp"] and info["train_seconds"] > 0
    assert (tmp_path / "numpy_mlp-quick.npz").exists() and (tmp_path / "numpy_mlp-quick.json").exists()

    loaded, loaded_info = zoo.load_or_train("numpy_mlp", splits)
    assert "loaded the model chapter 3 saved" in capsys.readouterr().out
    assert loaded_info == info and all(np.array_equal(loaded[k], params[k]) for k in params)

    probs = zoo.predict_probs(loaded, mnist["x_test"][:500])
    assert probs.shape == (500, 10) and np.allclose(probs.sum(axis=1), 1, atol=1e-5)
    assert np.mean(probs.argmax(axis=1) == mnist["y_test"][:500]) > 0.9
    floats = zoo.predict_probs(loaded, mnist["x_test"][:500] / np.float32(255))
    assert np.allclose(floats, probs, atol=1e-5)
    assert zoo.count_params(loaded) == 784 * 256 + 256 + 256 * 10 + 10


def test_bad_requests():
    with pytest.raises(ValueError, match="unknown model 'svm'"):
        zoo.load_or_train("svm", None)
    with pytest.raises(ValueError, match=r"shape \(N, 28, 28\)"):
        zoo.predict_probs({}, np.zeros((3, 784)))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        zoo.predict_probs({}, np.full((1, 28, 28), 3.0))


def test_every_registered_model_names_its_chapters_training_function():
    for name, entry in zoo.MODELS.items():
        assert entry.epochs in dc.mode.FULL.epochs and entry.epochs in dc.mode.QUICK.epochs, name
        assert "seed" in inspect.signature(entry.train).parameters, name
