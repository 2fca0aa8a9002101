"""Keep Keras' input pipeline from stalling between epochs: turn off ``tf.data``'s autotuning in it.

When a Keras model trains on NumPy arrays (``model.fit(x, y)``), Keras (TensorFlow backend) feeds
them through a ``tf.data`` pipeline whose buffer sizes and parallel calls are tuned while it runs,
by a background thread that sleeps between its rounds for longer and longer (the period doubles, up
to a minute). At the start of every epoch, and after every evaluation or prediction, Keras drops the
old iterator, and deleting it can wait for that thread to wake up. Measured with TensorFlow 2.21 and
Keras 3.15 on the course's 2-core build machine: 10 of chapter 8's 24 training epochs took 73-87 s
instead of 39-52 s; in such an epoch the process sat idle (no CPU time at all) for up to 40 s at
its start, its main thread waiting in ``RootDataset::Iterator``'s destructor while the tuning thread
slept in ``Model::OptimizeLoop`` (read off with gdb). With autotuning off, all 24 took 31-47 s and
the chapter 1,367 s instead of 2,106. ``benchmarks/keras_speed.py`` compares both.

:func:`install` (called when ``digitcourse`` is imported) therefore adds ``tf.data.Options`` with
``autotune.enabled = False`` to the pipeline Keras builds from arrays
(``keras.src.trainers.data_adapters.array_data_adapter.ArrayDataAdapter.get_tf_dataset``), when
Keras imports it, or at once if it already has. Nothing else changes: the batches are the same, in
the same order (``tests/test_pipeline.py`` trains a network both ways and gets the same weights);
without tuning, the pipeline prefetches and slices with TensorFlow's fixed defaults, which keep up
with training on a CPU. Where Keras has no such method (another version or backend), nothing is done.
"""

from __future__ import annotations

import functools
import sys

from digitcourse import hooks

#: The Keras module whose ``ArrayDataAdapter`` turns NumPy arrays into a ``tf.data`` pipeline.
MODULE = "keras.src.trainers.data_adapters.array_data_adapter"


def _without_autotuning(get_tf_dataset):
    @functools.wraps(get_tf_dataset)
    def wrapper(self):
        import tensorflow as tf

        options = tf.data.Options()
        options.autotune.enabled = False
        return get_tf_dataset(self).with_options(options)

    wrapper.without_autotuning = True
    return wrapper


def patch(module) -> None:
    """Turn off autotuning in ``module.ArrayDataAdapter``'s pipeline; nothing where it has no such
    method. Safe to call repeatedly; the original method stays at ``get_tf_dataset.__wrapped__``."""
    adapter = getattr(module, "ArrayDataAdapter", None)
    method = getattr(adapter, "get_tf_dataset", None)
    if method is not None and not getattr(method, "without_autotuning", False):
        adapter.get_tf_dataset = _without_autotuning(method)


def _import_and_patch(exec_module, module):
    """Execute :data:`MODULE` (for :func:`digitcourse.hooks.on_first_import`), then :func:`patch` it."""
    exec_module(module)
    patch(module)


def install() -> None:
    """Patch :data:`MODULE` now if Keras has imported it, or when it does. Safe to call repeatedly."""
    if MODULE in sys.modules:
        patch(sys.modules[MODULE])
    else:
        hooks.on_first_import(MODULE, _import_and_patch)
