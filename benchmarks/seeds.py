"""Seed-to-seed spread: train each model with several seeds and summarize its test accuracy.

Used by ``python benchmarks/run.py --seeds N [model ...]``. One training run per model and seed, with
the package's own training code, the code the chapters print in their ``#@save`` cells, and each
chapter's settings (``digitcourse.zoo.train``, which also retrains a model a chapter is missing):

- ``numpy_mlp``: chapter 3's NumPy network (``digitcourse.numpy_net``); the seed also drives
  ``init_params`` and the batch order of ``train``;
- ``mlp``: chapter 4's Keras MLP (``digitcourse.models.train_mlp``, early stopping);
- ``cnn``: chapter 5's Keras CNN (``digitcourse.models.train_cnn``);
- ``keras_convnet``: Keras' "Simple MNIST convnet" example (``digitcourse.models.keras_simple_convnet``)
  with the example's protocol: all 60,000 training images, ``validation_split=0.1``, batch size 128,
  15 epochs;
- ``cnn_plus``: chapter 8's network (``digitcourse.models.train_cnn_plus``);
- ``ensemble``: chapter 8's ensemble of 3 such networks (``digitcourse.models.train_ensemble``). Run
  ``seed`` trains the members with seeds ``3 * seed`` to ``3 * seed + 2``, so that no two runs share a
  member; run 0 is the chapter's ensemble (members 0, 1, 2).

``cnn_plus`` and ``ensemble`` predict as chapter 8 does: with test-time augmentation
(``digitcourse.models.shifted_probs``, the mean over one-pixel shifts) where it beats plain prediction
on the validation images for the first network, and without it otherwise (column ``TTA``).

Every run starts with ``dc.set_seed(seed)``; seed 0 is the chapters' own run. The seed changes the
initial weights, the batch order and the dropout masks; the training/validation split stays the
chapters' (``load_splits(seed=0)``). Every model is tested on MNIST's 10,000 test images. The spread
is the sample standard deviation over seeds (``ddof=1``). Training seconds are wall clock on a
machine that may be busy with other work.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

import digitcourse as dc
from digitcourse.mode import FULL, QUICK
from digitcourse.preprocess import add_channel_axis, normalize, one_hot

#: name -> description in the table
MODELS = {
    "cnn": "Keras CNN (chapter 5)",
    "keras_convnet": "Keras Simple MNIST convnet (example's protocol)",
    "mlp": "Keras MLP 784-512-512-10 (chapter 4)",
    "numpy_mlp": "NumPy network 784-256-10 (chapter 3)",
    "cnn_plus": "CNN with augmentation and batch normalization (chapter 8)",
    "ensemble": "Ensemble of 3 such CNNs (chapter 8)",
}

#: Members of an ``ensemble`` run (``digitcourse.models.train_ensemble``'s default, chapter 8's full mode).
ENSEMBLE_MEMBERS = 3


@dataclass
class Run:
    """One model trained with one seed."""

    model: str
    seed: int
    parameters: int
    epochs: int
    seconds: float
    predicted: np.ndarray  # predicted labels of the 10,000 test images
    tta: bool | None = None  # chapter 8's models: whether test-time augmentation was used


def train_one(name, seed, splits, mode, verbose=2):
    """Train model ``name`` with ``seed`` on ``splits`` (the mode's data) and return a :class:`Run`."""
    import keras

    from digitcourse import models, zoo

    dc.set_seed(seed)
    if name in zoo.MODELS:  # the chapters' own code and settings
        model, info = zoo.train(name, splits, mode=mode, seed=ENSEMBLE_MEMBERS * seed if name == "ensemble" else seed)
        epochs, seconds = info["epochs"], info["train_seconds"]
    elif name == "keras_convnet":
        if mode.quick:  # smoke test only: the quick subset and the CNN's quick epochs
            x_all = np.concatenate([splits.x_train, splits.x_val])
            y_all = np.concatenate([splits.y_train, splits.y_val])
            epochs = mode.epochs["cnn"]
        else:  # the example's protocol: all 60,000 training images, 10% of them for validation
            (x_all, y_all), _ = dc.load_mnist()
            epochs = 15
        model = models.keras_simple_convnet()
        start = time.perf_counter()
        model.fit(add_channel_axis(normalize(x_all)), one_hot(y_all), batch_size=128, epochs=epochs,
                  validation_split=0.1, verbose=verbose)
        seconds = time.perf_counter() - start
    else:
        raise ValueError(f"unknown model {name!r}: choose from {', '.join(MODELS)}.")
    tta = None
    if name in ("cnn_plus", "ensemble"):
        probs, tta = chapter8_probs(model, splits)
    else:
        probs = zoo.predict_probs(model, splits.x_test)
    parameters = zoo.count_params(model)
    keras.backend.clear_session()
    return Run(name, seed, parameters, epochs, seconds, probs.argmax(axis=1), tta)


def chapter8_probs(model, splits):
    """Test probabilities (10000, 10) of a chapter 8 network or ensemble, predicted as the chapter does:
    averaged over ``models.SHIFTS`` if that beats plain prediction on the validation images for the
    first network (an ensemble's first member), plain otherwise. Returns ``(probs, tta)``."""
    import keras

    from digitcourse import models

    x_val, x_test = (add_channel_axis(normalize(x)) for x in (splits.x_val, splits.x_test))
    first = next((layer for layer in model.layers if isinstance(layer, keras.Model)), model)
    val = models.shifted_probs(first, x_val)
    tta = bool(np.mean(val.mean(axis=0).argmax(axis=1) == splits.y_val) > np.mean(val[0].argmax(axis=1) == splits.y_val))
    return models.shifted_probs(model, x_test, models.SHIFTS if tta else models.SHIFTS[:1]).mean(axis=0), tta


def _mean_sd(values, scale=1.0, digits=2):
    values = np.asarray(values, dtype=float) * scale
    if len(values) < 2:  # one seed: no standard deviation
        return f"{values.mean():.{digits}f}"
    return f"{values.mean():.{digits}f} ± {values.std(ddof=1):.{digits}f}"


def _span(values, fmt="{}"):
    low, high = min(values), max(values)
    return fmt.format(low) if low == high else f"{fmt.format(low)}–{fmt.format(high)}"


def summarize(runs, y_test):
    """The per-run table, the summary table and (with both) the CNN-versus-example comparison, as text."""
    from scipy.stats import ttest_ind

    n = len(y_test)
    per_run = pd.DataFrame([{
        "model": run.model, "seed": run.seed, "epochs": run.epochs, "train s": f"{run.seconds:.0f}",
        "TTA": {None: "", True: "yes", False: "no"}[run.tta],
        "test accuracy": f"{np.mean(run.predicted == y_test):.2%}",
        "95% Wilson interval": "[{:.2%}, {:.2%}]".format(
            *dc.stats.accuracy_interval(int(np.sum(run.predicted == y_test)), n)),
    } for run in runs])
    accuracy = {}
    rows = []
    for name in dict.fromkeys(run.model for run in runs):
        group = [run for run in runs if run.model == name]
        accuracy[name] = np.array([np.mean(run.predicted == y_test) for run in group])
        rows.append({
            "model": MODELS[name], "parameters": f"{group[0].parameters:,}",
            "epochs": _span([run.epochs for run in group]), "seeds": len(group),
            "test accuracy % (mean ± sd)": _mean_sd(accuracy[name], 100),
            "min–max %": _span(list(accuracy[name]), "{:.2%}").replace("%", ""),
            "train s (mean ± sd)": _mean_sd([run.seconds for run in group], digits=0),
        })
    text = [per_run.to_string(index=False), "", pd.DataFrame(rows).to_string(index=False)]
    if min(len(accuracy.get("cnn", ())), len(accuracy.get("keras_convnet", ()))) >= 2:
        cnn, example = accuracy["cnn"], accuracy["keras_convnet"]
        wins = int(sum(a > b for a in cnn for b in example))
        welch = ttest_ind(cnn, example, equal_var=False)
        interval = welch.confidence_interval(0.95)
        text += ["", "CNN (chapter 5) against Keras' Simple MNIST convnet example, test accuracy:",
                 f"- CNN seeds beat example seeds in {wins} of {len(cnn) * len(example)} pairs; "
                 f"lowest CNN seed {cnn.min():.2%}, highest example seed {example.max():.2%}: "
                 + ("every CNN seed beats every example seed." if cnn.min() > example.max()
                    else "NOT every CNN seed beats every example seed."),
                 f"- difference of means {100 * (cnn.mean() - example.mean()):+.2f} points "
                 f"(sd {100 * cnn.std(ddof=1):.2f} and {100 * example.std(ddof=1):.2f} points); "
                 f"Welch's t-test over seeds: 95% interval [{100 * interval.low:+.2f}, "
                 f"{100 * interval.high:+.2f}] points, p = {welch.pvalue:.3g}."]
        cnn_runs = {run.seed: run for run in runs if run.model == "cnn"}
        for run in runs:
            if run.model == "keras_convnet" and run.seed in cnn_runs:
                test = dc.stats.mcnemar(y_test, cnn_runs[run.seed].predicted, run.predicted)
                text.append(f"- seed {run.seed}, McNemar's exact test on the same test images: "
                            f"{test.only_a} right only by the CNN, {test.only_b} only by the example, "
                            f"p = {test.p_value:.3g}.")
    return "\n".join(text)


def main(names, seeds, quick=False):
    """Train every model in ``names`` with each seed of ``seeds`` (a range) and print the tables."""
    import os
    import platform

    mode = QUICK if quick else FULL
    names = names or list(MODELS)
    splits = dc.load_splits(mode=mode)
    print(f"{platform.machine()}, {os.cpu_count()} CPUs; {mode.name} mode; seeds {seeds[0]}–{seeds[-1]}; "
          f"MNIST from {os.environ.get('DIGITCOURSE_MNIST') or 'Keras download'}", flush=True)
    runs = []
    for name in names:
        for seed in seeds:
            run = train_one(name, seed, splits, mode)
            runs.append(run)
            print(f"{name} seed {seed}: {run.epochs} epochs in {run.seconds:.0f} s, test accuracy "
                  f"{np.mean(run.predicted == splits.y_test):.2%}", flush=True)
    print(summarize(runs, splits.y_test), flush=True)
