"""digitcourse.pipeline: Keras' input pipeline from NumPy arrays runs without tf.data's autotuning,
and trains on the same batches as Keras' own."""

import subprocess
import sys

import numpy as np

import digitcourse  # noqa: F401  (installs the patch)
import keras
from keras.src.trainers.data_adapters.array_data_adapter import ArrayDataAdapter

CHECK = """
from keras.src.trainers.data_adapters.array_data_adapter import ArrayDataAdapter
import numpy as np
dataset = ArrayDataAdapter(np.zeros((10, 3)), np.zeros(10), batch_size=4, shuffle=True).get_tf_dataset()
print(dataset.options().autotune.enabled)
"""


def test_autotuning_off_whichever_is_imported_first():
    for imports in ["import digitcourse, keras", "import keras, digitcourse"]:
        out = subprocess.run([sys.executable, "-c", imports + CHECK], capture_output=True, text=True, check=True)
        assert out.stdout.split() == ["False"], (imports, out.stdout, out.stderr)


def test_same_batches_as_keras_own_pipeline(monkeypatch):
    rng = np.random.default_rng(0)
    x, y = rng.random((600, 20), dtype=np.float32), rng.integers(0, 10, 600)

    def train(seed=0):
        keras.utils.set_random_seed(seed)
        model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(16, activation="relu"),
                                  keras.layers.Dropout(0.2), keras.layers.Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, y, batch_size=32, epochs=2, validation_data=(x[:64], y[:64]), verbose=0)
        return model.get_weights()

    assert ArrayDataAdapter.get_tf_dataset.without_autotuning
    patched = train()
    monkeypatch.setattr(ArrayDataAdapter, "get_tf_dataset", ArrayDataAdapter.get_tf_dataset.__wrapped__)
    assert ArrayDataAdapter(x, y, batch_size=32, shuffle=True).get_tf_dataset().options().autotune.enabled is not False
    keras_own = train()
    assert all(np.array_equal(a, b) for a, b in zip(patched, keras_own))
    # Another seed (other weights, dropout and batches): the comparison tells them apart.
    assert not any(np.array_equal(a, b) for a, b in zip(patched, train(seed=1)))
