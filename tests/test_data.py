import numpy as np
import pytest

import digitcourse as dc
from digitcourse.data import MnistIntegrityError, MnistNotFoundError, load_mnist

REMEDIES = ("load_mnist(\"path/to/mnist.npz\")", "DIGITCOURSE_MNIST", "let Keras download it")


def write_variant(tmp_path, mnist, **changes):
    """Write MNIST with some arrays replaced (None: left out) and return the path."""
    arrays = {**mnist, **changes}
    path = tmp_path / "variant.npz"
    np.savez(path, **{k: v for k, v in arrays.items() if v is not None})
    return path


def test_good_file_loads_with_expected_shapes_and_dtypes(good_file, mnist, no_env):
    (x_train, y_train), (x_test, y_test) = load_mnist(good_file)
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    assert np.array_equal(x_test, mnist["x_test"]) and np.array_equal(y_train, mnist["y_train"])
    assert set(np.unique(y_test)) == set(range(10))


def test_environment_variable_names_the_file(good_file, mnist, monkeypatch):
    monkeypatch.setenv("DIGITCOURSE_MNIST", str(good_file))
    (_, y_train), _ = load_mnist()
    assert np.array_equal(y_train, mnist["y_train"])


def test_explicit_path_wins_over_environment_variable(good_file, tmp_path, monkeypatch):
    monkeypatch.setenv("DIGITCOURSE_MNIST", str(tmp_path / "absent.npz"))
    (x_train, _), _ = load_mnist(good_file)
    assert x_train.shape == (60000, 28, 28)


@pytest.mark.parametrize("name", ["x_train", "y_train", "x_test", "y_test"])
def test_one_altered_array_is_named(name, mnist, tmp_path):
    altered = mnist[name].copy()
    flat = altered.reshape(-1)
    flat[123] = (flat[123] + 1) % 10  # stays a valid label, and a valid pixel
    path = write_variant(tmp_path, mnist, **{name: altered})
    with pytest.raises(MnistIntegrityError) as error:
        load_mnist(path)
    message = str(error.value)
    assert f"Array {name} in {path}" in message and "SHA-256" in message
    assert all(remedy in message for remedy in REMEDIES)


def test_missing_file_lists_the_three_remedies(tmp_path, no_env):
    path = tmp_path / "nowhere" / "mnist.npz"
    with pytest.raises(MnistNotFoundError) as error:
        load_mnist(path)
    message = str(error.value)
    assert str(path) in message
    assert all(remedy in message for remedy in REMEDIES)


def test_missing_file_named_by_environment_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGITCOURSE_MNIST", str(tmp_path / "absent.npz"))
    with pytest.raises(MnistNotFoundError, match=r"absent\.npz \(from \$DIGITCOURSE_MNIST\)"):
        load_mnist()


def test_wrong_shape(mnist, tmp_path):
    path = write_variant(tmp_path, mnist, x_train=mnist["x_train"][:100])
    with pytest.raises(MnistIntegrityError, match=r"x_train .* has shape \(100, 28, 28\), expected \(60000, 28, 28\)"):
        load_mnist(path)


def test_wrong_dtype(mnist, tmp_path):
    path = write_variant(tmp_path, mnist, x_test=mnist["x_test"].astype(np.float32) / 255)
    with pytest.raises(MnistIntegrityError, match="x_test .* has dtype float32, expected uint8"):
        load_mnist(path)


def test_label_out_of_range(mnist, tmp_path):
    labels = mnist["y_test"].copy()
    labels[0] = 10
    path = write_variant(tmp_path, mnist, y_test=labels)
    with pytest.raises(MnistIntegrityError, match="y_test .* holds label 10"):
        load_mnist(path)


def test_missing_array(mnist, tmp_path):
    path = write_variant(tmp_path, mnist, y_test=None)
    with pytest.raises(MnistIntegrityError, match="has no array y_test"):
        load_mnist(path)


def test_truncated_file_is_reported_and_nothing_is_written(mnist, tmp_path):
    full = tmp_path / "full.npz"
    np.savez_compressed(full, **mnist)
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    before = {p: p.read_bytes() for p in tmp_path.iterdir()}
    with pytest.raises(MnistIntegrityError, match="not a complete MNIST .npz file"):
        load_mnist(truncated)
    assert {p: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_single_array_file_is_not_mnist(mnist, tmp_path):
    path = tmp_path / "x.npy"
    np.save(path, mnist["x_test"])
    with pytest.raises(MnistIntegrityError, match="single array"):
        load_mnist(path)


def test_failed_keras_download_lists_the_remedies(monkeypatch, no_env):
    keras = pytest.importorskip("keras")

    def offline():
        raise Exception("URL fetch failure on https://storage.googleapis.com/...: None -- no network")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(MnistNotFoundError) as error:
        load_mnist()
    message = str(error.value)
    assert "Keras could not download MNIST" in message and "no network" in message
    assert all(remedy in message for remedy in REMEDIES)


def test_train_val_split_is_stratified_disjoint_and_deterministic(mnist):
    index = np.arange(60000)
    (train_a, y_train), (val_a, y_val) = dc.data.train_val_split(index, mnist["y_train"], 5000)
    (train_b, _), (val_b, _) = dc.data.train_val_split(index, mnist["y_train"], 5000)
    assert np.array_equal(val_a, val_b) and np.array_equal(train_a, train_b)
    assert len(val_a) == 5000 and len(train_a) == 55000
    assert np.array_equal(np.sort(np.concatenate([train_a, val_a])), index)
    assert np.array_equal(y_val, mnist["y_train"][val_a])
    share_all = np.bincount(mnist["y_train"]) / 60000
    assert np.abs(np.bincount(y_val) / 5000 - share_all).max() < 0.001


@pytest.mark.parametrize("mode", [dc.mode.FULL, dc.mode.QUICK])
def test_load_splits_sizes_follow_the_mode(mode, good_file):
    splits = dc.load_splits(good_file, mode=mode)
    expected_train = mode.train_size or 60000 - mode.val_size
    assert (len(splits.x_train), len(splits.y_train)) == (expected_train, expected_train)
    assert (len(splits.x_val), len(splits.x_test)) == (mode.val_size, 10000)
    assert splits.mode is mode
    counts = np.bincount(splits.y_train, minlength=10)
    assert counts.min() > 0.08 * expected_train and counts.max() < 0.12 * expected_train


# ---- USPS (load_usps) ----

USPS_REMEDIES = ('load_usps("path/to/zip.', "DIGITCOURSE_USPS", "folder that holds zip.train.gz and zip.test.gz",
                 "let Keras download it")
#: Sizes and class counts of ESL's files, as its data page and ../shared/data/README.md give them.
USPS_FACTS = {"train": (7291, [1194, 1005, 731, 658, 652, 556, 664, 645, 542, 644]),
              "test": (2007, [359, 264, 198, 166, 200, 160, 170, 147, 166, 177])}


@pytest.fixture(scope="session")
def usps_texts():
    """The decompressed text of USPS's two splits, from wherever the loader finds them (CI: $DIGITCOURSE_USPS)."""
    import gzip

    texts = {}
    for split in ("train", "test"):
        path, _ = dc.data.usps_file(split=split)
        dc.load_usps(path, split=split)  # verified
        raw = path.read_bytes()
        texts[split] = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    return texts


@pytest.fixture
def usps_text(usps_texts):
    return usps_texts["test"]


@pytest.fixture
def no_usps_env(monkeypatch):
    monkeypatch.delenv("DIGITCOURSE_USPS", raising=False)


def write_usps(tmp_path, text, name="zip.test.gz", compress=True):
    import gzip

    path = tmp_path / name
    path.write_bytes(gzip.compress(text, compresslevel=1) if compress else text)
    return path


@pytest.mark.parametrize("split", ["train", "test"])
def test_usps_loads_with_documented_shapes_dtypes_and_counts(usps_texts, tmp_path, no_usps_env, split):
    text = usps_texts[split]
    x, y = dc.load_usps(write_usps(tmp_path, text, f"zip.{split}.gz"), split=split)
    size, counts = USPS_FACTS[split]
    assert x.shape == (size, 16, 16) and y.shape == (size,) and x.dtype == y.dtype == np.uint8
    assert np.bincount(y).tolist() == counts == list(dc.data.USPS_SPLITS[split].class_counts)
    first = np.array(text.split(b"\n")[0].split(), dtype=float)
    assert y[0] == first[0] and np.array_equal(x[0].ravel(), np.round((first[1:] + 1) * 127.5))
    assert x.min() == 0 and x.max() == 255 and np.median(x) == 0  # 0 = background, as in MNIST


def test_usps_default_split_is_test(usps_texts, tmp_path, no_usps_env):
    write_usps(tmp_path, usps_texts["train"], "zip.train.gz")
    write_usps(tmp_path, usps_texts["test"], "zip.test.gz")
    assert dc.load_usps(tmp_path)[0].shape == (2007, 16, 16)  # a folder as path: the split's file in it
    assert dc.load_usps(tmp_path, split="train")[0].shape == (7291, 16, 16)


@pytest.mark.parametrize("split", ["val", "Train", "training", None, ""])
def test_usps_wrong_split_says_what_to_pass(split, no_usps_env):
    with pytest.raises(ValueError, match=r"split must be 'test' .* or 'train' .*got") as error:
        dc.load_usps(split=split)
    assert repr(split) in str(error.value)


def test_usps_split_name_given_as_path_says_to_pass_split(no_usps_env):
    with pytest.raises(dc.data.UspsNotFoundError, match=r"pass split='train'"):
        dc.load_usps("train")


@pytest.mark.parametrize("asked, given", [("test", "train"), ("train", "test")])
def test_usps_the_other_split_is_recognized_by_its_hash(usps_texts, tmp_path, no_usps_env, asked, given):
    # The other split's file, under the name of the split asked for (files swapped).
    path = write_usps(tmp_path, usps_texts[given], f"zip.{asked}.gz")
    with pytest.raises(dc.data.UspsIntegrityError) as error:
        dc.load_usps(path, split=asked)
    message = str(error.value)
    other = "training split" if given == "train" else "test split"
    assert str(path) in message and f"holds USPS's {other}" in message and f"pass split='{given}'" in message


def test_usps_environment_variable_names_the_folder_of_both_splits(usps_texts, tmp_path, monkeypatch):
    write_usps(tmp_path, usps_texts["train"], "zip.train.gz")
    write_usps(tmp_path, usps_texts["test"], "zip.test", compress=False)  # decompressed text is accepted
    monkeypatch.setenv("DIGITCOURSE_USPS", str(tmp_path))
    assert dc.load_usps()[0].shape == (2007, 16, 16)
    assert dc.load_usps(split="train")[0].shape == (7291, 16, 16)


@pytest.mark.parametrize("named", ["zip.train.gz", "zip.test.gz"])
def test_usps_environment_variable_may_name_either_file_meaning_its_folder(usps_texts, tmp_path, monkeypatch,
                                                                           named):
    for split in ("train", "test"):
        write_usps(tmp_path, usps_texts[split], f"zip.{split}.gz")
    monkeypatch.setenv("DIGITCOURSE_USPS", str(tmp_path / named))
    assert dc.load_usps()[1].shape == (2007,)
    assert dc.load_usps(split="train")[1].shape == (7291,)


def test_usps_folder_without_the_split_says_where_it_looked(usps_texts, tmp_path, monkeypatch):
    write_usps(tmp_path, usps_texts["test"], "zip.test.gz")
    monkeypatch.setenv("DIGITCOURSE_USPS", str(tmp_path / "zip.test.gz"))
    with pytest.raises(dc.data.UspsNotFoundError) as error:
        dc.load_usps(split="train")
    message = str(error.value)
    assert f"No zip.train.gz (nor its decompressed text, zip.train) in the folder {tmp_path} (from $DIGITCOURSE_USPS)" \
        in message and all(r in message for r in USPS_REMEDIES)


def test_usps_explicit_path_wins_over_environment_variable(usps_text, tmp_path, monkeypatch):
    monkeypatch.setenv("DIGITCOURSE_USPS", str(tmp_path / "absent"))
    assert dc.load_usps(write_usps(tmp_path, usps_text))[1].shape == (2007,)


def test_usps_altered_value_fails_the_hash(usps_text, tmp_path):
    altered = usps_text.replace(b" -0.948 ", b" -0.947 ", 1)
    assert altered != usps_text
    path = write_usps(tmp_path, altered)
    with pytest.raises(dc.data.UspsIntegrityError) as error:
        dc.load_usps(path)
    message = str(error.value)
    assert str(path) in message and "SHA-256" in message and all(r in message for r in USPS_REMEDIES)


@pytest.mark.parametrize("content, message", [
    (lambda text: __import__("gzip").compress(text)[:50_000], "not a complete gzip file"),  # truncated
    (lambda text: text[: len(text) // 2], "SHA-256"),                                     # half the lines
    (lambda text: b"<html>404 Not Found</html>", "SHA-256"),                              # an error page
])
def test_usps_bad_content(usps_text, tmp_path, content, message):
    path = tmp_path / "zip.test.gz"
    path.write_bytes(content(usps_text))
    with pytest.raises(dc.data.UspsIntegrityError, match=message):
        dc.load_usps(path)


def test_usps_missing_file_lists_the_remedies(tmp_path, monkeypatch):
    monkeypatch.delenv("DIGITCOURSE_USPS", raising=False)
    path = tmp_path / "nowhere" / "zip.test.gz"
    with pytest.raises(dc.data.UspsNotFoundError) as error:
        dc.load_usps(path)
    assert str(path) in str(error.value) and all(r in str(error.value) for r in USPS_REMEDIES)
    monkeypatch.setenv("DIGITCOURSE_USPS", str(path))
    with pytest.raises(FileNotFoundError, match=r"zip\.test\.gz \(from \$DIGITCOURSE_USPS\)"):
        dc.load_usps()


@pytest.mark.parametrize("split", ["train", "test"])
def test_usps_download_goes_to_its_own_cache_folder_and_failure_lists_the_remedies(usps_texts, tmp_path,
                                                                                  monkeypatch, split):
    keras = pytest.importorskip("keras")
    monkeypatch.delenv("DIGITCOURSE_USPS", raising=False)
    calls = []

    def fake_get_file(fname, origin, cache_subdir):
        calls.append((fname, origin, cache_subdir))
        return str(write_usps(tmp_path, usps_texts[split], fname))

    monkeypatch.setattr(keras.utils, "get_file", fake_get_file)
    assert len(dc.load_usps(split=split)[0]) == USPS_FACTS[split][0]
    url = f"https://hastie.su.domains/ElemStatLearn/datasets/zip.{split}.gz"  # ESL's data page
    assert calls == [(f"zip.{split}.gz", url, "datasets/usps")]

    def offline(*args, **kwargs):
        raise Exception("URL fetch failure on https://hastie.su.domains/...: no network")

    monkeypatch.setattr(keras.utils, "get_file", offline)
    with pytest.raises(dc.data.UspsNotFoundError) as error:
        dc.load_usps(split=split)
    message = str(error.value)
    assert "Keras could not download USPS" in message and url in message and all(r in message for r in USPS_REMEDIES)
