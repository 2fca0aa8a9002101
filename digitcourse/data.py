"""Load MNIST, verify it is the genuine data set, and split it; load USPS's two splits the same way.

Source of the data: Y. LeCun, C. Cortes and C. J. C. Burges, *The MNIST database of handwritten
digits*, built from NIST Special Databases 1 and 3. The arrays are those of Keras' ``mnist.npz``
(``keras.datasets.mnist.load_data()``). USPS (:func:`load_usps`, its training and test
splits): Y. LeCun et al., "Handwritten digit recognition with a back-propagation network", NIPS 1989,
as distributed with Hastie, Tibshirani and Friedman, *The Elements of Statistical Learning* (data page:
https://hastie.su.domains/ElemStatLearn/data.html, "ZIP code").
"""

from __future__ import annotations

import gzip
import hashlib
import os
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digitcourse.mode import Mode, current_mode

ENV_VAR = "DIGITCOURSE_MNIST"
NUM_CLASSES = 10
IMAGE_SHAPE = (28, 28)

#: Shape, dtype and SHA-256 of ``array.tobytes()`` of each array of the genuine MNIST, in Keras'
#: layout. The hashes are of the arrays' content, so they hold whatever file the arrays came in.
EXPECTED = {
    "x_train": ((60000, 28, 28), "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757"),
    "y_train": ((60000,), "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13"),
    "x_test": ((10000, 28, 28), "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161"),
    "y_test": ((10000,), "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5"),
}

_REMEDIES = f"""Provide MNIST in one of three ways:
  1. pass the path of a local copy: digitcourse.data.load_mnist("path/to/mnist.npz");
  2. set the environment variable {ENV_VAR} to that path, e.g. export {ENV_VAR}=$HOME/data/mnist.npz
     (an .npz in Keras' layout: arrays x_train, y_train, x_test, y_test);
  3. unset both and let Keras download it once (needs internet; cached in ~/.keras/datasets)."""


class MnistNotFoundError(FileNotFoundError):
    """MNIST could not be found locally nor downloaded; the message lists the three remedies."""


class MnistIntegrityError(ValueError):
    """A copy of MNIST is unreadable or differs from the genuine data set; the message names the
    file and the array."""


def load_mnist(path: str | os.PathLike | None = None):
    """Load and verify MNIST.

    The data is looked up in this order: the ``path`` argument; the environment variable
    ``DIGITCOURSE_MNIST``; otherwise Keras' own download, ``keras.datasets.mnist.load_data()``
    (cached by Keras in ``~/.keras/datasets``; TensorFlow is imported only in that case).

    Every array is then checked against the genuine data set (:data:`EXPECTED`): keys, shapes,
    dtypes, label range and the SHA-256 of its bytes. The loader only reads: it never writes,
    moves or deletes a file.

    Parameters
    ----------
    path : str or os.PathLike, optional
        A local ``.npz`` in Keras' layout (arrays ``x_train``, ``y_train``, ``x_test``, ``y_test``).

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        ``x_train`` uint8 ``(60000, 28, 28)`` and ``x_test`` uint8 ``(10000, 28, 28)``, pixels in
        ``[0, 255]`` with 0 = background and 255 = ink; ``y_train`` uint8 ``(60000,)`` and
        ``y_test`` uint8 ``(10000,)``, digits in ``[0, 9]``.

    Raises
    ------
    MnistNotFoundError
        The file named by ``path`` or ``DIGITCOURSE_MNIST`` does not exist, or Keras' download
        failed (e.g. no internet); the message lists the three ways to provide the data.
    MnistIntegrityError
        The file is not a complete ``.npz``, lacks an array, or an array has the wrong shape,
        dtype, label range or content; the message names the file and the array.
    """
    if path is None and os.environ.get(ENV_VAR):
        path, origin = os.environ[ENV_VAR], f" (from ${ENV_VAR})"
    else:
        origin = ""
    if path is not None:
        arrays = _read_npz(Path(path).expanduser(), origin)
        source = f"{path}{origin}"
    else:
        arrays = _download_with_keras()
        source = "Keras' download of mnist.npz"
    for name, array in arrays.items():
        verify_array(name, array, source)
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _read_npz(path: Path, origin: str) -> dict[str, np.ndarray]:
    if not path.is_file():
        raise MnistNotFoundError(f"No MNIST file at {path}{origin}.\n{_REMEDIES}")
    try:
        npz = np.load(path, allow_pickle=False)
        if not isinstance(npz, np.lib.npyio.NpzFile):
            raise ValueError("it holds a single array, not the four arrays of an .npz archive")
        with npz:
            missing = sorted(set(EXPECTED) - set(npz.files))
            if missing:
                raise MnistIntegrityError(
                    f"{path}{origin} has no array {', '.join(missing)} (it holds "
                    f"{sorted(npz.files)}); an MNIST file in Keras' layout holds "
                    f"{sorted(EXPECTED)}.\n{_REMEDIES}"
                )
            return {name: npz[name] for name in EXPECTED}
    except MnistIntegrityError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as error:
        raise MnistIntegrityError(
            f"{path}{origin} is not a complete MNIST .npz file ({error}); it may be truncated "
            f"or hold something else. Replace it with a good copy.\n{_REMEDIES}"
        ) from error


def _download_with_keras() -> dict[str, np.ndarray]:
    try:
        import keras

        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as error:  # Keras raises a bare Exception when the download fails.
        raise MnistNotFoundError(
            f"Keras could not download MNIST ({type(error).__name__}: {error}).\n{_REMEDIES}"
        ) from error
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def verify_array(name: str, array: np.ndarray, source: str) -> None:
    """Check one array against the genuine MNIST.

    Parameters
    ----------
    name : {"x_train", "y_train", "x_test", "y_test"}
        Which array this is.
    array : np.ndarray
        The array as loaded.
    source : str
        Where it came from (a path), used in the error message.

    Raises
    ------
    MnistIntegrityError
        If the shape, the dtype (uint8), the label range (0 to 9) or the SHA-256 of
        ``array.tobytes()`` differs from :data:`EXPECTED`.
    """
    shape, sha256 = EXPECTED[name]
    problem = None
    if array.shape != shape:
        problem = f"has shape {array.shape}, expected {shape}"
    elif array.dtype != np.uint8:
        problem = f"has dtype {array.dtype}, expected uint8"
    elif name.startswith("y") and array.max() >= NUM_CLASSES:
        problem = f"holds label {array.max()}, expected digits 0 to {NUM_CLASSES - 1}"
    else:
        actual = hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()
        if actual != sha256:
            problem = (
                f"differs from the genuine MNIST (SHA-256 {actual[:12]}..., expected "
                f"{sha256[:12]}...): the file is corrupted or holds another data set"
            )
    if problem:
        raise MnistIntegrityError(
            f"Array {name} in {source} {problem}. Replace the file with a good copy.\n{_REMEDIES}"
        )


USPS_ENV_VAR = "DIGITCOURSE_USPS"
#: The data page of *The Elements of Statistical Learning* ("ZIP code"), which distributes USPS.
USPS_PAGE = "https://hastie.su.domains/ElemStatLearn/data.html"
#: The folder of that page's files: ``zip.train.gz`` and ``zip.test.gz``.
USPS_BASE_URL = "https://hastie.su.domains/ElemStatLearn/datasets/"
USPS_SHAPE = (16, 16)


@dataclass(frozen=True)
class UspsSplit:
    """One split of USPS as *The Elements of Statistical Learning* distributes it.

    Attributes
    ----------
    name : {"train", "test"}
    file : str
        The file's name on the data page and in a local folder (``zip.train.gz``, ``zip.test.gz``).
    size : int
        Number of digits.
    sha256 : str
        SHA-256 of the decompressed text: copies of the ``.gz`` are compressed differently, the
        text they hold is the same.
    class_counts : tuple of int
        Number of digits of each class 0 to 9.
    """

    name: str
    file: str
    size: int
    sha256: str
    class_counts: tuple[int, ...]

    @property
    def url(self) -> str:
        """Where the data page serves the file."""
        return USPS_BASE_URL + self.file

    @property
    def text_file(self) -> str:
        """The name of the decompressed file (``zip.train``, ``zip.test``), also accepted."""
        return self.file.removesuffix(".gz")

    def describe(self) -> str:
        """E.g. ``"test split (zip.test.gz, 2,007 digits)"``, for messages."""
        return f"{'training' if self.name == 'train' else 'test'} split ({self.file}, {self.size:,} digits)"


#: USPS's two splits, by the name :func:`load_usps` takes.
USPS_SPLITS = {
    "train": UspsSplit("train", "zip.train.gz", 7291,
                       "abc9f5c75b997cabe66b5d01727d5a681c69298e1641a8d37b55433a52129dc0",
                       (1194, 1005, 731, 658, 652, 556, 664, 645, 542, 644)),
    "test": UspsSplit("test", "zip.test.gz", 2007,
                      "6bde17b4f1cd68e0630cd2751d6495b5795d9165ab2dc4a0be8b7002b732f4cc",
                      (359, 264, 198, 166, 200, 160, 170, 147, 166, 177)),
}


def _usps_remedies(split: UspsSplit) -> str:
    return f"""Provide USPS's {split.describe()} in one of three ways:
  1. pass the path of a local copy: digitcourse.data.load_usps("path/to/{split.file}", split="{split.name}");
  2. set the environment variable {USPS_ENV_VAR} to the folder that holds zip.train.gz and zip.test.gz,
     e.g. export {USPS_ENV_VAR}=$HOME/data/usps (the gzip'd files from {USPS_BASE_URL},
     or their decompressed text as zip.train and zip.test);
  3. unset both and let Keras download it once (needs internet; cached in ~/.keras/datasets/usps)."""


class UspsNotFoundError(FileNotFoundError):
    """A split of USPS could not be found locally nor downloaded; the message lists the remedies."""


class UspsIntegrityError(ValueError):
    """A copy of a split of USPS is unreadable, differs from the genuine one, or is the other split;
    the message names the file."""


def load_usps(path: str | os.PathLike | None = None, split: str = "test"):
    """Load and verify a split of USPS: real handwritten digits from envelopes.

    USPS's digits were scanned by the U.S. Postal Service, deslanted and size-normalized to 16 x 16
    grey levels by their authors (Y. LeCun et al., "Handwritten digit recognition with a
    back-propagation network", NIPS 1989): another population of writers, another scanner and
    another preprocessing than MNIST's, hence an honest test of a model trained on MNIST. The files
    are those of *The Elements of Statistical Learning*'s data page (:data:`USPS_PAGE`; Hastie,
    Tibshirani and Friedman): ``zip.train.gz`` (7,291 digits) and ``zip.test.gz`` (2,007 digits),
    one line per digit, its label and then 256 values in [-1, 1] (-1 = background, +1 = ink), row by
    row. Use the training split to develop anything tuned by looking at USPS digits, so that the
    test split stays an honest test.

    The data is looked up in this order: the ``path`` argument; the environment variable
    ``DIGITCOURSE_USPS``, naming the folder that holds ``zip.train.gz`` and ``zip.test.gz`` (or
    either file, which stands for its folder; in the folder, the decompressed ``zip.train`` and
    ``zip.test`` are accepted too); otherwise a download from the data page
    (``USPS_SPLITS[split].url``) with ``keras.utils.get_file`` (cached in ``~/.keras/datasets/usps``;
    TensorFlow is imported only then). The SHA-256 of the decompressed text is then checked
    against :data:`USPS_SPLITS`. The loader never writes, moves or deletes a local file.

    Parameters
    ----------
    path : str or os.PathLike, optional
        The split's file (``zip.test.gz`` or ``zip.train.gz``, or its decompressed text), or the
        folder that holds it.
    split : {"test", "train"}
        Which split: the test split (the default) or the training split.

    Returns
    -------
    x_usps, y_usps
        ``x_usps`` uint8 ``(N, 16, 16)``, pixels in ``[0, 255]`` with 0 = background and 255 = ink
        (MNIST's convention: ``round((value + 1) / 2 * 255)``); ``y_usps`` uint8 ``(N,)``, digits in
        ``[0, 9]``. ``N`` = 2,007 for the test split (class counts 359, 264, 198, 166, 200, 160, 170,
        147, 166, 177) and 7,291 for the training split (1194, 1005, 731, 658, 652, 556, 664, 645,
        542, 644).

    Raises
    ------
    ValueError
        ``split`` is neither ``"test"`` nor ``"train"``.
    UspsNotFoundError
        The file or folder named by ``path`` or ``DIGITCOURSE_USPS`` does not exist, the folder
        does not hold the split's file, or the download failed (e.g. no internet); the message says
        where it looked and lists the three ways to provide the data.
    UspsIntegrityError
        The file is not gzip'd text nor text, its text differs from the genuine split (the SHA-256
        of the decompressed text), or it is the other split (``zip.train.gz`` given for the test
        split, say); the message names the file.
    """
    expected = _usps_split(split)
    file, source = usps_file(path, split)
    raw = file.read_bytes()
    try:
        text = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    except (OSError, EOFError, zlib.error) as error:
        raise UspsIntegrityError(f"{source} is not a complete gzip file ({error}); it may be truncated. "
                                 f"Replace it with a good copy.\n{_usps_remedies(expected)}") from error
    actual = hashlib.sha256(text).hexdigest()
    other = next(s for s in USPS_SPLITS.values() if s is not expected)
    if actual == other.sha256:
        raise UspsIntegrityError(
            f"{source} holds USPS's {other.describe()}, not the {expected.describe()} that was asked for: "
            f"to load it, pass split={other.name!r}; for the {expected.name} split, give {expected.file}.\n"
            f"{_usps_remedies(expected)}")
    if actual != expected.sha256:
        raise UspsIntegrityError(
            f"{source} differs from USPS's genuine {expected.describe()} (SHA-256 of its text {actual[:12]}..., "
            f"expected {expected.sha256[:12]}...): the file is corrupted, truncated or holds another data set. "
            f"Replace it with a good copy.\n{_usps_remedies(expected)}")
    values = np.array(text.split(), dtype=np.float64).reshape(expected.size, 1 + USPS_SHAPE[0] * USPS_SHAPE[1])
    x_usps = np.round((values[:, 1:] + 1) / 2 * 255).astype(np.uint8).reshape(expected.size, *USPS_SHAPE)
    return x_usps, values[:, 0].astype(np.uint8)


def usps_file(path: str | os.PathLike | None = None, split: str = "test") -> tuple[Path, str]:
    """Where :func:`load_usps` finds a split of USPS, downloading it if it is nowhere local.

    Parameters
    ----------
    path, split
        As for :func:`load_usps`.

    Returns
    -------
    (pathlib.Path, str)
        The file (not yet verified), and where it came from, for messages.

    Raises
    ------
    ValueError, UspsNotFoundError
        As for :func:`load_usps`.
    """
    expected = _usps_split(split)
    if path is None and os.environ.get(USPS_ENV_VAR):
        path, origin = Path(os.environ[USPS_ENV_VAR]).expanduser(), f" (from ${USPS_ENV_VAR})"
        if path.is_file():
            path = path.parent  # one variable serves both splits: a file stands for its folder
    elif path is None:
        file = Path(_download_usps(expected))
        return file, f"Keras' download of {expected.url} ({file})"
    else:
        path, origin = Path(path).expanduser(), ""
    if path.is_dir():
        candidates = [path / expected.file, path / expected.text_file]
        file = next((candidate for candidate in candidates if candidate.is_file()), None)
        if file is None:
            raise UspsNotFoundError(
                f"No {expected.file} (nor its decompressed text, {expected.text_file}) in the folder "
                f"{path}{origin}.\n{_usps_remedies(expected)}")
        return file, f"{file}{origin}"
    if not path.is_file():
        hint = (f" (load_usps takes a path first: for the {path} split, pass split={str(path)!r})"
                if str(path) in USPS_SPLITS else "")
        raise UspsNotFoundError(f"No USPS file or folder at {path}{origin}{hint}.\n{_usps_remedies(expected)}")
    return path, f"{path}{origin}"


def _usps_split(split: str) -> UspsSplit:
    if split not in USPS_SPLITS:
        raise ValueError(f"split must be 'test' (the default: {USPS_SPLITS['test'].describe()}) or 'train' "
                         f"({USPS_SPLITS['train'].describe()}), got {split!r}: e.g. load_usps(split='train').")
    return USPS_SPLITS[split]


def _download_usps(split: UspsSplit) -> str:
    try:
        import keras

        return keras.utils.get_file(split.file, split.url, cache_subdir="datasets/usps")
    except Exception as error:  # Keras raises a bare Exception when the download fails.
        raise UspsNotFoundError(
            f"Keras could not download USPS's {split.describe()} from {split.url} "
            f"({type(error).__name__}: {error}).\n{_usps_remedies(split)}") from error


def stratified_subset(x: np.ndarray, y: np.ndarray, size: int, seed: int = 0):
    """Draw ``size`` examples with the same class proportions as ``y`` (up to rounding).

    Parameters
    ----------
    x : np.ndarray, shape (N, ...)
        Images (any dtype).
    y : np.ndarray, shape (N,)
        Integer labels.
    size : int
        Number of examples to keep, ``0 < size < N``.
    seed : int
        The draw is a deterministic function of ``seed``.

    Returns
    -------
    x_subset, y_subset : np.ndarray
        Shapes ``(size, ...)`` and ``(size,)``, same dtypes as the inputs, in shuffled order.

    Raises
    ------
    ValueError
        From scikit-learn's ``train_test_split`` (the method used) if ``size`` is out of range.
    """
    from sklearn.model_selection import train_test_split

    x_subset, _, y_subset, _ = train_test_split(
        x, y, train_size=size, stratify=y, random_state=seed
    )
    return x_subset, y_subset


def train_val_split(x: np.ndarray, y: np.ndarray, val_size: int, seed: int = 0):
    """Hold out a stratified validation set, deterministically.

    Parameters
    ----------
    x : np.ndarray, shape (N, ...)
        Training images (any dtype).
    y : np.ndarray, shape (N,)
        Integer labels.
    val_size : int
        Number of validation examples, ``0 < val_size < N``.
    seed : int
        The split is a deterministic function of ``seed``.

    Returns
    -------
    (x_train, y_train), (x_val, y_val)
        Disjoint parts of the input, ``N - val_size`` and ``val_size`` examples, each with the class
        proportions of ``y`` (scikit-learn's ``train_test_split(..., stratify=y)``).

    Raises
    ------
    ValueError
        From scikit-learn if ``val_size`` is out of range.
    """
    from sklearn.model_selection import train_test_split

    x_train, x_val, y_train, y_val = train_test_split(
        x, y, test_size=val_size, stratify=y, random_state=seed
    )
    return (x_train, y_train), (x_val, y_val)


@dataclass(frozen=True)
class MnistSplits:
    """Training, validation and test sets as every chapter uses them (raw uint8 pixels).

    ``x_*`` are uint8 ``(N, 28, 28)`` in ``[0, 255]``; ``y_*`` are uint8 ``(N,)`` in ``[0, 9]``.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    mode: Mode


def load_splits(path: str | os.PathLike | None = None, mode: Mode | None = None, seed: int = 0):
    """Load MNIST and split it the way every chapter does.

    The validation set is a stratified draw of ``mode.val_size`` of MNIST's 60,000 training images
    (:func:`train_val_split`); in quick mode the rest is cut to a stratified ``mode.train_size``
    (:func:`stratified_subset`). The test set is always MNIST's whole test set (10,000 images).

    Parameters
    ----------
    path : str or os.PathLike, optional
        Passed to :func:`load_mnist`.
    mode : Mode, optional
        Defaults to :func:`digitcourse.mode.current_mode`.
    seed : int
        Seed of the split and the subset.

    Returns
    -------
    MnistSplits
        In full mode 55,000 / 5,000 / 10,000 images; in quick mode 10,000 / 2,000 / 10,000.

    Raises
    ------
    MnistNotFoundError, MnistIntegrityError
        As :func:`load_mnist`.
    """
    mode = mode or current_mode()
    (x, y), (x_test, y_test) = load_mnist(path)
    (x_train, y_train), (x_val, y_val) = train_val_split(x, y, mode.val_size, seed)
    if mode.train_size is not None:
        x_train, y_train = stratified_subset(x_train, y_train, mode.train_size, seed)
    return MnistSplits(x_train, y_train, x_val, y_val, x_test, y_test, mode)
