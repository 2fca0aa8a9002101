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


def mlp_model(num_hidden=512, dropout=0.2, learning_rate=1e-3):
    """Keras' classic MNIST multilayer perceptron: 784 -> 512 ReLU -> 512 ReLU -> 10 softmax.

    Dropout after each hidden layer; Adam; categorical cross-entropy, so it takes flattened
    images, float32 (N, 784) in [0, 1], and one-hot labels, float32 (N, 10). Chapter 4.
    """
    model = keras.Sequential([
        keras.Input(shape=(784,)),
        keras.layers.Dense(num_hidden, activation="relu"),
        keras.layers.Dropout(dropout),
        keras.layers.Dense(num_hidden, activation="relu"),
        keras.layers.Dropout(dropout),
        keras.layers.Dense(10, activation="softmax"),
    ], name="mlp")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def mlp_callbacks():
    """Stop when the validation loss stops improving, keeping the best weights, and cut the
    learning rate to 30% whenever it stalls for an epoch. Chapter 4."""
    return [
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=4, restore_best_weights=True),
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.3, patience=1, min_lr=1e-5),
    ]
