"""digitcourse: the helper package of the digitcourse book (handwritten digits on MNIST).

Importing it is light: NumPy and Matplotlib, never TensorFlow. Functions that need Keras
(``set_seed``, ``digitcourse.models``, the Keras download in ``load_mnist``) import it themselves.
"""

from digitcourse import data, mode, plots, preprocess, storage
from digitcourse.book import glue
from digitcourse.data import load_mnist, load_splits
from digitcourse.mode import current_mode
from digitcourse.seeding import set_seed

__version__ = "0.1.0"
__all__ = ["data", "mode", "plots", "preprocess", "storage", "glue", "load_mnist", "load_splits",
           "current_mode", "set_seed", "__version__"]
