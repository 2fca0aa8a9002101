"""Keras models that more than one place uses (a chapter and the benchmarks, or two chapters).

Each function here, except the benchmark's peer :func:`keras_simple_convnet`, is also printed in
the chapter that teaches it, in a cell marked ``#@save``; ``tests/test_notebooks.py`` fails when
the two copies differ. Importing this module imports Keras.
"""

import math
import time

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
    images, float32 (N, 784) in [0, 1], and one-hot labels, float32 (N, 10). Keras runs 16 batches
    per call into TensorFlow (``steps_per_execution``), a little faster on a CPU
    (``benchmarks/keras_speed.py``); it changes nothing else. Chapter 4.
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
        steps_per_execution=16,
    )
    return model


def mlp_callbacks():
    """Stop when the validation loss stops improving, keeping the best weights, and cut the
    learning rate to 30% whenever it stalls for an epoch. Chapter 4."""
    return [
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=4, restore_best_weights=True),
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.3, patience=1, min_lr=1e-5),
    ]


def train_mlp(x_train, y_train, x_val, y_val, epochs, batch_size=128, seed=0, verbose=2):
    """Build :func:`mlp_model` and train it with :func:`mlp_callbacks` for at most ``epochs`` epochs.

    ``x_train``, ``x_val``: float32 (N, 784) in [0, 1]; ``y_train``, ``y_val``: one-hot labels,
    float32 (N, 10). ``seed`` seeds Python, NumPy and Keras first, which fixes the initial weights,
    the dropout masks and the batch order. Returns ``(model, history, seconds)``: the trained model
    (with the weights of its best validation epoch), Keras' ``History``, and the wall-clock seconds
    of ``fit``. Chapter 4.
    """
    keras.utils.set_random_seed(seed)
    model = mlp_model()
    start = time.perf_counter()
    history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=epochs,
                        batch_size=batch_size, callbacks=mlp_callbacks(), verbose=verbose)
    return model, history, time.perf_counter() - start


def cnn_model(steps_per_epoch, epochs, peak_learning_rate=3e-3, dropout=0.5):
    """The course's convolutional network for (28, 28, 1) images: two convolution + max-pooling
    stages, then a dense layer of 128 units, with dropout; Adam with a warm-up and cosine schedule.

    Takes images float32 (N, 28, 28, 1) in [0, 1] and integer labels in [0, 9] (sparse categorical
    cross-entropy); outputs softmax probabilities (N, 10). ``steps_per_epoch`` (batches per epoch)
    and ``epochs`` fix the schedule's length: the learning rate rises linearly from 0 to
    ``peak_learning_rate`` over the first 10% of the steps (warm-up, Goyal et al. 2017), then
    follows a half cosine down to 0 (Loshchilov & Hutter 2017). ``steps_per_execution=16`` runs
    16 batches per call into TensorFlow, which measurably speeds up training on a CPU
    (``benchmarks/keras_speed.py``). Chapter 5.
    """
    total_steps = steps_per_epoch * epochs
    warmup_steps = total_steps // 10
    schedule = keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=0.0, decay_steps=total_steps - warmup_steps,
        warmup_target=peak_learning_rate, warmup_steps=warmup_steps,
    )
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Conv2D(32, kernel_size=3, activation="relu"),
        keras.layers.MaxPooling2D(pool_size=2),
        keras.layers.Conv2D(64, kernel_size=3, activation="relu"),
        keras.layers.MaxPooling2D(pool_size=2),
        keras.layers.Flatten(),
        keras.layers.Dropout(dropout),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dropout(dropout),
        keras.layers.Dense(10, activation="softmax"),
    ], name="cnn")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=16,
    )
    return model


def train_cnn(x_train, y_train, x_val, y_val, epochs, batch_size=128, seed=0, verbose=2):
    """Build :func:`cnn_model` with a schedule for ``epochs`` epochs, and train it.

    ``x_train``, ``x_val``: float32 (N, 28, 28, 1) in [0, 1]; ``y_train``, ``y_val``: integer
    labels (N,) in [0, 9]. The validation set is evaluated after every epoch; it is not used for
    training. ``seed`` seeds Python, NumPy and Keras first (initial weights, dropout masks, batch
    order). Returns ``(model, history, seconds)``: the trained model, Keras' ``History``, and the
    wall-clock seconds of ``fit``. Chapter 5.
    """
    keras.utils.set_random_seed(seed)
    model = cnn_model(steps_per_epoch=math.ceil(len(x_train) / batch_size), epochs=epochs)
    start = time.perf_counter()
    history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=epochs,
                        batch_size=batch_size, verbose=verbose)
    return model, history, time.perf_counter() - start


def keras_simple_convnet():
    """Keras' "Simple MNIST convnet" example (fchollet, keras.io/examples/vision/mnist_convnet),
    layer for layer: the peer that chapter 5's network is benchmarked against.

    Takes images float32 (N, 28, 28, 1) in [0, 1] and one-hot labels (N, 10); the example trains
    it with batch size 128 for 15 epochs with ``validation_split=0.1`` and reports 99.22% test
    accuracy.
    """
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        keras.layers.MaxPooling2D(pool_size=(2, 2)),
        keras.layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        keras.layers.MaxPooling2D(pool_size=(2, 2)),
        keras.layers.Flatten(),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(10, activation="softmax"),
    ], name="keras_simple_convnet")
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model
