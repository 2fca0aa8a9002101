import subprocess
import sys

import numpy as np
import pytest

import digitcourse as dc


def test_import_does_not_load_tensorflow():
    code = "import sys, digitcourse; print('tensorflow' in sys.modules or 'keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_show_digits_titles_and_marks_errors():
    images = np.zeros((3, 28, 28), dtype=np.uint8)
    fig = dc.plots.show_digits(images, labels=[1, 2, 3], predicted=[1, 5, 3], probs=[0.9, 0.6, 0.99], ncols=2)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["1 → 1 (90.0%)", "2 → 5 (60.0%)", "3 → 3 (99.0%)"]
    wrong = [ax for ax in fig.axes if ax.get_title().startswith("2")][0]
    assert wrong.title.get_color() == "crimson"
    with pytest.raises(ValueError, match="labels has 2 entries for 3 images"):
        dc.plots.show_digits(images, labels=[1, 2])


def test_plot_history_draws_training_and_validation_curves():
    history = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.6, 0.8], "val_accuracy": [0.5, 0.7]}
    fig = dc.plots.plot_history({"run": history})
    loss_ax = fig.axes[0]
    assert [list(line.get_ydata()) for line in loss_ax.lines] == [[1.0, 0.5], [1.1, 0.7]]
    with pytest.raises(KeyError, match="no 'f1'"):
        dc.plots.plot_history({"run": history}, metrics=["f1"])


def test_set_seed_makes_keras_weights_repeatable():
    keras = pytest.importorskip("keras")

    def weights():
        dc.set_seed(7)
        layer = keras.layers.Dense(4)
        layer.build((None, 3))
        return keras.ops.convert_to_numpy(layer.kernel)

    assert np.array_equal(weights(), weights())
    with pytest.raises(ValueError, match="non-negative integer"):
        dc.set_seed(-1)


def test_model_path_is_outside_the_repository_and_names_the_mode(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGITCOURSE_MODELS", str(tmp_path / "models"))
    path = dc.storage.model_path("mlp", dc.mode.QUICK)
    assert path == tmp_path / "models" / "mlp-quick.keras" and path.parent.is_dir()
    assert dc.storage.model_path("mlp", dc.mode.FULL).name == "mlp-full.keras"
    with pytest.raises(ValueError, match="model name"):
        dc.storage.model_path("../mlp")


def test_show_predictions_picks_first_right_and_most_confident_wrong():
    images = np.arange(4 * 784, dtype=np.uint8).reshape(4, 28, 28)
    labels = np.array([0, 1, 2, 3])
    probs = np.full((4, 10), 0.0)
    probs[0, 0], probs[1, 5], probs[2, 2], probs[3, 7] = 1.0, 0.6, 1.0, 0.9  # 1 and 3 are wrong
    right = dc.plots.show_predictions(images, labels, probs, correct=True)
    assert [ax.get_title() for ax in right.axes if ax.get_title()] == ["0 → 0 (100.0%)", "2 → 2 (100.0%)"]
    wrong = dc.plots.show_predictions(images, labels, probs, correct=False, n=1)
    assert [ax.get_title() for ax in wrong.axes if ax.get_title()] == ["3 → 7 (90.0%)"]
    with pytest.raises(ValueError, match="no wrong prediction"):
        dc.plots.show_predictions(images[:1], labels[:1], probs[:1], correct=False)


def test_plot_confusion_matrix_counts_and_row_percentages():
    y_true = np.array([0, 0, 0, 1, 1, 9])
    y_pred = np.array([0, 0, 1, 1, 1, 4])
    counts = dc.plots.plot_confusion_matrix(y_true, y_pred)
    assert counts.shape == (10, 10) and counts[0, 0] == 2 and counts[0, 1] == 1 and counts[9, 4] == 1
    assert counts.sum() == len(y_true)
    percent = dc.plots.plot_confusion_matrix(y_true, y_pred, normalize=True)
    assert np.isclose(percent[0, 0], 200 / 3) and percent[9, 4] == 100 and percent[5].sum() == 0
    with pytest.raises(ValueError, match="digits 0-9"):
        dc.plots.plot_confusion_matrix([0, 10], [0, 1])


def test_save_and_load_model_round_trip_numpy_params(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGITCOURSE_MODELS", str(tmp_path))
    assert dc.storage.load_model("net", dc.mode.QUICK) is None
    params = {"W1": np.arange(6.0).reshape(2, 3), "b1": np.zeros(3)}
    path = dc.storage.save_model(params, "net", {"epochs": 3}, dc.mode.QUICK)
    assert path.name == "net-quick.npz"
    loaded, info = dc.storage.load_model("net", dc.mode.QUICK)
    assert info == {"epochs": 3} and np.array_equal(loaded["W1"], params["W1"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net-quick.json", "net-quick.npz"]
    assert dc.storage.load_model("net", dc.mode.FULL) is None


def test_glue_stores_numpy_scalars_as_python_numbers(monkeypatch):
    recorded = {}
    myst_nb = pytest.importorskip("myst_nb")
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: recorded.update({name: value}))
    dc.glue("accuracy", np.float64(0.25))
    dc.glue("errors", np.int64(3))
    dc.glue("label", "5 taken for a 3")
    assert recorded == {"accuracy": 0.25, "errors": 3, "label": "5 taken for a 3"}
    assert type(recorded["accuracy"]) is float and type(recorded["errors"]) is int
