"""Keras models that more than one place uses (a chapter and the benchmarks, or two chapters).

Each function here, except the benchmark's peer :func:`keras_simple_convnet`, is also printed in
the chapter that teaches it, in a cell marked ``#@save``; ``tests/test_notebooks.py`` fails when
the two copies differ. Importing this module imports Keras.
"""

import math
import time

import keras
import numpy as np

from digitcourse.preprocess import one_hot, shift_images


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


def warmup_cosine(total_steps, peak_learning_rate, warmup_fraction=0.1):
    """The learning-rate schedule of chapters 5 and 8: a linear warm-up from 0 to
    ``peak_learning_rate`` over the first ``warmup_fraction`` of the ``total_steps`` training steps
    (batches; Goyal et al. 2017), then a half cosine down to 0 over the rest (Loshchilov & Hutter
    2017). Returns a Keras ``LearningRateSchedule`` (step -> learning rate) for an optimizer.
    Chapter 5.
    """
    warmup_steps = int(total_steps * warmup_fraction)
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=0.0, decay_steps=total_steps - warmup_steps,
        warmup_target=peak_learning_rate, warmup_steps=warmup_steps,
    )


def cnn_model(steps_per_epoch, epochs, peak_learning_rate=3e-3, dropout=0.5):
    """The course's convolutional network for (28, 28, 1) images: two convolution + max-pooling
    stages, then a dense layer of 128 units, with dropout; Adam with a warm-up and cosine schedule.

    Takes images float32 (N, 28, 28, 1) in [0, 1] and integer labels in [0, 9] (sparse categorical
    cross-entropy); outputs softmax probabilities (N, 10). ``steps_per_epoch`` (batches per epoch)
    and ``epochs`` fix the length of the :func:`warmup_cosine` schedule that peaks at
    ``peak_learning_rate``. ``steps_per_execution=16`` runs
    16 batches per call into TensorFlow, which measurably speeds up training on a CPU
    (``benchmarks/keras_speed.py``). Chapter 5.
    """
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
    schedule = warmup_cosine(steps_per_epoch * epochs, peak_learning_rate)
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


@keras.saving.register_keras_serializable(package="digitcourse")
class RandomAffine(keras.layers.Layer):
    """Random small rotations, zooms and shifts of images, composed into one affine transform so
    that each image is resampled once (three separate Keras layers would resample, and blur, it
    three times). Active only in training: at inference images pass through unchanged.

    Takes float32 (N, H, W, C); returns the same shape. Each image gets its own rotation, uniform
    in [-``rotation_degrees``, ``rotation_degrees``] degrees about the image centre, zoom factor
    in [1 - ``zoom``, 1 + ``zoom``], and shift of up to ``shift`` of its size in each direction
    (0.1 of 28 pixels: 2.8 pixels). Pixels that come from outside the image are background (0).
    ``interpolation``: "bilinear" or "nearest". The random numbers come from Keras' global seed
    (``keras.utils.set_random_seed``). Chapter 8.
    """

    def __init__(self, rotation_degrees=10, zoom=0.1, shift=0.1, interpolation="bilinear", **kwargs):
        super().__init__(**kwargs)
        self.rotation_degrees, self.zoom, self.shift = rotation_degrees, zoom, shift
        self.interpolation = interpolation
        self.seed_generator = keras.random.SeedGenerator()
        # TensorFlow's image transform has no XLA kernel; without this, Keras compiles the training
        # step with XLA wherever a GPU is present (jit_compile="auto"), and that fails.
        self.supports_jit = False

    def call(self, images, training=False):
        if not training:
            return images
        ops = keras.ops
        height, width = images.shape[1], images.shape[2]
        u = keras.random.uniform((ops.shape(images)[0], 4), -1.0, 1.0, seed=self.seed_generator)
        angle = u[:, 0] * self.rotation_degrees * math.pi / 180
        scale = 1.0 + u[:, 1] * self.zoom  # > 1 enlarges the digit
        shift_x, shift_y = u[:, 2] * self.shift * width, u[:, 3] * self.shift * height
        # Each output pixel p reads the input at centre + rotation(p - centre - shift) / scale.
        cos, sin = ops.cos(angle) / scale, ops.sin(angle) / scale
        centre_x, centre_y = (width - 1) / 2, (height - 1) / 2
        from_x, from_y = centre_x + shift_x, centre_y + shift_y
        zeros = ops.zeros_like(cos)
        transforms = ops.stack([cos, -sin, centre_x - cos * from_x + sin * from_y,
                                sin, cos, centre_y - sin * from_x - cos * from_y, zeros, zeros], axis=1)
        return ops.image.affine_transform(images, transforms, interpolation=self.interpolation,
                                          fill_mode="constant", fill_value=0.0)

    def get_config(self):
        return {**super().get_config(), "rotation_degrees": self.rotation_degrees, "zoom": self.zoom,
                "shift": self.shift, "interpolation": self.interpolation}


def conv_bn_relu(x, filters, kernel_size=3, padding="same", batch_norm=keras.layers.BatchNormalization):
    """Convolution, then batch normalization (Ioffe & Szegedy 2015), then ReLU. ``batch_norm``:
    a batch normalization layer class (Keras' own by default), or ``False`` for none. With batch
    normalization the convolution needs no bias: normalization subtracts it again. The running
    averages for inference use momentum 0.9 (Keras' default, 0.99, still remembers its initial
    values after a few hundred steps). Chapter 8."""
    x = keras.layers.Conv2D(filters, kernel_size, padding=padding, use_bias=not batch_norm)(x)
    if batch_norm:
        x = batch_norm(momentum=0.9)(x)
    return keras.layers.ReLU()(x)


def cnn_plus_model(steps_per_epoch, epochs, deep=True, augment=True, batch_norm=True,
                   peak_learning_rate=3e-3, label_smoothing=0.1, name="cnn_plus"):
    """Chapter 8's convolutional network, with each of its additions a switch (for the ablation).

    ``deep=False`` keeps chapter 5's layers (two 3x3 convolutions with max pooling, a dense layer
    of 128 units, dropout); ``deep=True`` is the deeper network: a 5x5 convolution (32 filters),
    pooling, two 3x3 convolutions (48), pooling, a 3x3 convolution (96), global average pooling,
    dropout 0.3. ``augment`` puts :class:`RandomAffine` in front (or, if it is a Keras layer, that
    layer); ``batch_norm`` follows every convolution (and the dense layer) with batch
    normalization: ``True`` for ``keras.layers.BatchNormalization``, or another layer class.
    Training as in chapter 5 (Adam, :func:`warmup_cosine`), on one-hot labels smoothed by
    ``label_smoothing`` (Szegedy et al. 2016). Takes float32 (N, 28, 28, 1) in [0, 1]; outputs
    softmax probabilities (N, 10); ``steps_per_epoch * epochs`` fixes the schedule's length;
    ``name`` names the model (members of an ensemble need different names). Chapter 8.
    """
    inputs = keras.Input(shape=(28, 28, 1))
    if augment is True:
        augment = RandomAffine()
    x = augment(inputs) if augment is not False else inputs
    if batch_norm is True:
        batch_norm = keras.layers.BatchNormalization
    if deep:
        x = conv_bn_relu(x, 32, kernel_size=5, padding="valid", batch_norm=batch_norm)  # 24 x 24
        x = keras.layers.MaxPooling2D()(x)                                               # 12 x 12
        x = conv_bn_relu(x, 48, batch_norm=batch_norm)
        x = conv_bn_relu(x, 48, batch_norm=batch_norm)
        x = keras.layers.MaxPooling2D()(x)                                               # 6 x 6
        x = conv_bn_relu(x, 96, padding="valid", batch_norm=batch_norm)                  # 4 x 4
        x = keras.layers.GlobalAveragePooling2D()(x)
        x = keras.layers.Dropout(0.3)(x)
    else:
        x = conv_bn_relu(x, 32, padding="valid", batch_norm=batch_norm)
        x = keras.layers.MaxPooling2D()(x)
        x = conv_bn_relu(x, 64, padding="valid", batch_norm=batch_norm)
        x = keras.layers.MaxPooling2D()(x)
        x = keras.layers.Dropout(0.5)(keras.layers.Flatten()(x))
        x = keras.layers.Dense(128, use_bias=not batch_norm)(x)
        if batch_norm:
            x = batch_norm(momentum=0.9)(x)
        x = keras.layers.Dropout(0.5)(keras.layers.ReLU()(x))
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    model = keras.Model(inputs, outputs, name=name)
    schedule = warmup_cosine(steps_per_epoch * epochs, peak_learning_rate)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=schedule),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=label_smoothing),
        metrics=["accuracy"],
        steps_per_execution=16,
    )
    return model


def train_cnn_plus(x_train, y_train, x_val, y_val, epochs, batch_size=128, seed=0, verbose=2, **switches):
    """Build :func:`cnn_plus_model` (``switches``: ``deep``, ``augment``, ``batch_norm``, ...) for
    ``epochs`` epochs and train it.

    ``x_train``, ``x_val``: float32 (N, 28, 28, 1) in [0, 1]; ``y_train``, ``y_val``: integer labels
    (N,) in [0, 9] (one-hot encoded here, for label smoothing); ``x_val=None`` and ``y_val=None``
    skip the validation after each epoch. ``seed`` seeds Python, NumPy and Keras first and names
    the model ``cnn_plus_seed<seed>``. Returns ``(model, history, seconds)`` as :func:`train_cnn`
    does. Chapter 8.
    """
    keras.utils.set_random_seed(seed)
    model = cnn_plus_model(math.ceil(len(x_train) / batch_size), epochs, name=f"cnn_plus_seed{seed}", **switches)
    validation = None if x_val is None else (x_val, one_hot(y_val))
    start = time.perf_counter()
    history = model.fit(x_train, one_hot(y_train), validation_data=validation,
                        epochs=epochs, batch_size=batch_size, verbose=verbose)
    return model, history, time.perf_counter() - start


SHIFTS = ((0, 0), (0, 1), (0, -1), (1, 0), (-1, 0))  # (down, right) in pixels; the first is the image itself


def shifted_probs(model, x, shifts=SHIFTS):
    """Softmax probabilities of ``model`` on copies of ``x`` shifted by each (down, right) of ``shifts``.

    ``x``: float32 (N, 28, 28, 1) in [0, 1]; ``shifts``: whole pixels (:func:`digitcourse.preprocess.shift_images`,
    vacated pixels black). Returns float32 (len(shifts), N, 10); the mean over the first axis is
    test-time augmentation. Chapter 8.
    """
    return np.stack([model.predict(shift_images(x, dy, dx), batch_size=2000, verbose=0) for dy, dx in shifts])


def ensemble_model(members):
    """One Keras model whose output is the mean of the members' softmax probabilities.

    ``members``: trained Keras models with the same input shape (e.g. (28, 28, 1)) and 10 softmax
    outputs; the ensemble shares their weights (no copy) and needs no compiling to predict.
    Chapter 8.
    """
    inputs = keras.Input(shape=members[0].input_shape[1:])
    outputs = keras.layers.Average()([member(inputs) for member in members])
    return keras.Model(inputs, outputs, name=f"ensemble_of_{len(members)}")


def train_ensemble(x_train, y_train, x_val, y_val, epochs, members=3, seed=0, verbose=2, trained=()):
    """Train ``members`` copies of chapter 8's network (:func:`train_cnn_plus`) with the seeds
    ``seed``, ``seed + 1``, ... and average them (:func:`ensemble_model`).

    Inputs as for :func:`train_cnn_plus`. ``trained``: members already trained with the first of
    those seeds (for example the single model a chapter has just trained), used as they are.
    Returns ``(ensemble, history, seconds)``: the ensemble model, the Keras ``History`` of the last
    member trained here, and the training seconds of the members trained here. Chapter 8.
    """
    ensemble, history, seconds = list(trained), None, 0.0
    for i in range(len(ensemble), members):
        model, history, member_seconds = train_cnn_plus(x_train, y_train, x_val, y_val, epochs,
                                                        seed=seed + i, verbose=verbose)
        ensemble.append(model)
        seconds += member_seconds
    return ensemble_model(ensemble), history, seconds
