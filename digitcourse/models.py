"""Keras models that more than one place uses (a chapter and the benchmarks, or two chapters).

Each function here is also printed in the chapter that teaches it, in a cell marked ``#@save``;
``tests/test_notebooks.py`` fails when the two copies differ. Importing this module imports Keras.
"""

import keras


def tiny_dense_model(learning_rate=0.1):
    """A tiny dense network, 784 -> 32 ReLU -> 10 softmax, compiled with plain SGD.

    Takes flattened images, float32 of shape (N, 784), and integer labels in [0, 9]
    (sparse categorical cross-entropy). Chapter 2 trains it on raw and on normalized pixels.
    """
    model = keras.Sequential([
        keras.Input(shape=(784,)),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model
