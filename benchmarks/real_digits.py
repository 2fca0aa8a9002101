"""Measure the course's saved models on real photos, scans and drawings of single handwritten digits.

Usage: DIGITCOURSE_REAL_DIGITS=path/to/real-digits python benchmarks/real_digits.py [--usps] [model ...]
       e.g. DIGITCOURSE_QUICK=1 python benchmarks/real_digits.py --usps cnn ensemble

DIGITCOURSE_REAL_DIGITS names a folder holding `manifest.csv` (columns file, label, style,
source_repository, source_path) and the images in `images/`; `../shared/data/real-digits/` is one:
194 digits written by many people on paper, tablets and canvases, each from someone else's public
repository. The images belong to their authors: the script only reads them, never copies or shows them.

Each image goes through chapter 7's pipeline, `digitcourse.handwriting.to_mnist`. An image the pipeline
refuses (`NoInkError`, or another ValueError: no ink stands out, too small, not an image) is a
refusal. Each of the course's models (`digitcourse.zoo.MODELS`: numpy_mlp, mlp, cnn, cnn_plus, ensemble,
or those named) is loaded as its chapter saved it in the current mode (DIGITCOURSE_QUICK,
DIGITCOURSE_MODELS), with `digitcourse.storage.load_model`: nothing is trained here, and a model that
is not saved, or was saved by other training code, is skipped with a note. `digitcourse.zoo.predict_probs`
reads the accepted images. The script prints:

- per style and overall: the number of images, the number refused, and each model's accuracy on the
  accepted images with its 95% Wilson interval (`digitcourse.stats.accuracy_interval`); overall also
  with the refusals counted as errors;
- the refusals: per style, how many and which files, with the pipeline's reason.

With ``--usps`` it also prints each model's accuracy on USPS's training split (7,291 digits) and test
split (2,007 digits), loaded with `digitcourse.data.load_usps(split=...)` (DIGITCOURSE_USPS names
their folder), each digit through the same `to_mnist` as in chapter 7, a refused digit counted as an
error.
"""

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import digitcourse as dc
from digitcourse import handwriting as hw
from digitcourse import storage, zoo

ENV_VAR = "DIGITCOURSE_REAL_DIGITS"
COLUMNS = ["file", "label", "style", "source_repository", "source_path"]


def read_manifest() -> tuple[Path, pd.DataFrame]:
    """The folder named by DIGITCOURSE_REAL_DIGITS and its manifest; exits with what to set if missing."""
    value = os.environ.get(ENV_VAR)
    how = (f"Set {ENV_VAR} to the folder that holds manifest.csv and images/, e.g. "
           f"export {ENV_VAR}=../shared/data/real-digits")
    if not value:
        sys.exit(f"real_digits: {ENV_VAR} is not set. {how}")
    folder = Path(value).expanduser()
    if not (folder / "manifest.csv").is_file():
        sys.exit(f"real_digits: no manifest.csv in {folder} (from ${ENV_VAR}). {how}")
    manifest = pd.read_csv(folder / "manifest.csv", dtype={"label": int})
    missing = [column for column in COLUMNS if column not in manifest.columns]
    if missing:
        sys.exit(f"real_digits: {folder / 'manifest.csv'} has no column {', '.join(missing)}; "
                 f"expected {', '.join(COLUMNS)}.")
    return folder, manifest


def prepare(paths) -> tuple[np.ndarray, list[str | None]]:
    """Every image through `to_mnist`: the prepared images (28 x 28, zeros where refused) and, per image,
    None or the reason it was refused."""
    images, reasons = [], []
    for path in paths:
        try:
            images.append(hw.to_mnist(path))
            reasons.append(None)
        except ValueError as error:  # NoInkError is a ValueError
            images.append(np.zeros((28, 28), np.float32))
            reasons.append(f"{type(error).__name__}: {str(error).splitlines()[0]}")
    return np.stack(images), reasons


def load_saved(names) -> dict:
    """The saved models among ``names``, in the current mode; a note for each one that is not usable."""
    mode = dc.current_mode()
    models = {}
    for name in names:
        entry = zoo.MODELS[name]
        saved = storage.load_model(name)
        if saved is None:
            path = storage.model_path(name)
            if path.with_suffix(".json").exists():
                why = ("saved by other training code or library versions than these (its training "
                       "fingerprint differs)")
            else:
                why = f"not saved in {mode.name} mode in {path.parent}"
            print(f"  {name}: skipped, {why}; run chapter {entry.chapter} to save it.")
            continue
        model, info = saved
        print(f"  {name}: {entry.description} (chapter {entry.chapter}), {mode.name} mode, "
              f"{info.get('epochs', '?')} epochs, trained in {info.get('train_seconds', float('nan')):.0f} s")
        models[name] = model
    return models


def cell(correct: int, n: int) -> str:
    """Accuracy with its 95% Wilson interval, in percent."""
    if n == 0:
        return "-"
    low, high = dc.stats.accuracy_interval(correct, n)
    return f"{correct / n:.1%} [{100 * low:.1f}, {100 * high:.1f}]"


def real_digits_table(manifest, reasons, preds) -> pd.DataFrame:
    """Rows: each style, overall, and overall with refusals counted as errors; columns: counts and models."""
    accepted = np.array([reason is None for reason in reasons])
    labels = manifest["label"].to_numpy()
    groups = [(style, (manifest["style"] == style).to_numpy()) for style in sorted(manifest["style"].unique())]
    groups.append(("overall", np.ones(len(manifest), bool)))
    rows = {}
    for title, members in groups:
        row = {"images": int(members.sum()), "refused": int((members & ~accepted).sum())}
        for name, pred in preds.items():
            right = members & accepted & (pred == labels)
            row[name] = cell(int(right.sum()), int((members & accepted).sum()))
        rows[title] = row
    everything = np.ones(len(manifest), bool)
    rows["overall, refusals as errors"] = {
        "images": len(manifest), "refused": int((~accepted).sum()),
        **{name: cell(int((everything & accepted & (pred == labels)).sum()), len(manifest))
           for name, pred in preds.items()}}
    return pd.DataFrame(rows).T.rename_axis("style")


def usps_table(models) -> pd.DataFrame:
    """Each model's accuracy on USPS's two splits through `to_mnist`, refusals counted as errors."""
    rows = {}
    for split in ("train", "test"):
        start = time.perf_counter()
        x_usps, y_usps = dc.load_usps(split=split)
        prepared, reasons = prepare(x_usps)
        refused = sum(reason is not None for reason in reasons)
        print(f"  USPS {split}: {len(y_usps):,} digits prepared in {time.perf_counter() - start:.0f} s, "
              f"{refused} refused (counted as errors)")
        row = {"digits": len(y_usps), "refused": refused}
        for name, model in models.items():
            pred = zoo.predict_probs(model, prepared).argmax(axis=1)
            ok = (pred == y_usps) & np.array([reason is None for reason in reasons])
            row[name] = cell(int(ok.sum()), len(y_usps))
        rows[f"USPS {split}"] = row
    return pd.DataFrame(rows).T.rename_axis("split")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="*", metavar="model",
                        help=f"which saved models (default all: {', '.join(zoo.MODELS)})")
    parser.add_argument("--usps", action="store_true", help="also USPS's training and test splits")
    args = parser.parse_args()
    unknown = [name for name in args.models if name not in zoo.MODELS]
    if unknown:
        parser.error(f"unknown model {', '.join(unknown)}: choose among {', '.join(zoo.MODELS)}")
    names = args.models or list(zoo.MODELS)
    folder, manifest = read_manifest()

    start = time.perf_counter()
    prepared, reasons = prepare(folder / "images" / file for file in manifest["file"])
    print(f"{len(manifest)} real images from {folder} through handwriting.to_mnist in "
          f"{time.perf_counter() - start:.0f} s; labels 0..9: {np.bincount(manifest['label'], minlength=10).tolist()}")
    print(f"models ({dc.current_mode().name} mode, from {storage.model_path(names[0]).parent}):")
    models = load_saved(names)
    preds = {name: zoo.predict_probs(model, prepared).argmax(axis=1) for name, model in models.items()}

    print("\nAccuracy on the images to_mnist accepted, with 95% Wilson intervals:")
    with pd.option_context("display.width", 250, "display.max_columns", None):
        print(real_digits_table(manifest, reasons, preds).to_string())

    refused = manifest.assign(reason=reasons).dropna(subset=["reason"])
    print(f"\nRefusals (to_mnist raised): {len(refused)} of {len(manifest)}")
    for style, group in refused.groupby("style"):
        print(f"  {style}: {len(group)}")
        for file, reason in zip(group["file"], group["reason"]):
            print(f"    {file}: {reason}")

    if args.usps:
        print()
        table = usps_table(models)
        print("\nAccuracy on USPS through handwriting.to_mnist (refusals as errors), with 95% Wilson intervals:")
        with pd.option_context("display.width", 250, "display.max_columns", None):
            print(table.to_string())


if __name__ == "__main__":
    main()
