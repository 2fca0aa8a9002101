"""digitcourse: the helper package of the digitcourse book (handwritten digits on MNIST).

Importing it is light: NumPy and Matplotlib, never TensorFlow. Functions that need Keras
(``set_seed``, ``digitcourse.models``, the Keras download in ``load_mnist``) import it themselves.
"""

import os

# TensorFlow's C++ core writes its start-up messages (oneDNN, CUDA probing, absl's "All log messages
# before absl::InitializeLog()") straight to the process's stderr, which Jupyter shows in the page.
# They are read once, when TensorFlow is first imported, so this must run before that: chapters
# import digitcourse before Keras. Python warnings and exceptions are untouched, and a value the user
# has set is kept. https://www.tensorflow.org/api_docs/python/tf/get_logger (TF_CPP_MIN_LOG_LEVEL)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from digitcourse import data, mode, plots, preprocess, storage  # noqa: E402
from digitcourse.book import glue  # noqa: E402
from digitcourse.data import load_mnist, load_splits  # noqa: E402
from digitcourse.mode import current_mode  # noqa: E402
from digitcourse.seeding import set_seed  # noqa: E402

__version__ = "0.1.0"
__all__ = ["data", "mode", "plots", "preprocess", "storage", "glue", "load_mnist", "load_splits",
           "current_mode", "set_seed", "__version__"]
