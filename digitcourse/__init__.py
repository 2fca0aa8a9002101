"""digitcourse: the helper package of the digitcourse book (handwritten digits on MNIST).

Importing it is light: NumPy and Matplotlib, never TensorFlow. Functions that need Keras
(``set_seed``, ``digitcourse.models``, the Keras download in ``load_mnist``) import it themselves.
"""

from digitcourse import pipeline, quiet

# Before anything imports TensorFlow: keep its C++ start-up log out of the page (see digitcourse.quiet).
quiet.install()
# Before Keras builds an input pipeline: keep it from stalling between epochs (see digitcourse.pipeline).
pipeline.install()

from digitcourse import data, mode, plots, preprocess, stats, storage  # noqa: E402
from digitcourse.book import claim, glue, glue_runtime  # noqa: E402
from digitcourse.data import load_mnist, load_splits, load_usps  # noqa: E402
from digitcourse.mode import current_mode  # noqa: E402
from digitcourse.seeding import set_seed  # noqa: E402

__version__ = "0.1.0"
__all__ = ["data", "mode", "plots", "preprocess", "stats", "storage", "claim", "glue", "glue_runtime", "load_mnist",
           "load_splits", "load_usps", "current_mode", "set_seed", "__version__"]
