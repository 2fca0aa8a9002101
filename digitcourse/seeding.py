"""One call that makes a training run repeatable."""

from __future__ import annotations


def set_seed(seed: int = 0) -> None:
    """Seed Python's ``random``, NumPy's global generator and the Keras backend at once.

    Wraps ``keras.utils.set_random_seed`` (https://keras.io/api/utils/python_utils/), so it imports
    Keras (and TensorFlow). Two runs with the same seed on the same machine start from the same
    weights and see the batches in the same order. Multi-threaded CPU kernels may still round
    differently on another machine or library version, so results there can differ slightly.

    Parameters
    ----------
    seed : int
        A non-negative integer.

    Raises
    ------
    ValueError
        If ``seed`` is negative or not an integer.
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
    import keras

    keras.utils.set_random_seed(seed)
