"""Train each of the course's models in full mode and print one table.

Usage: python benchmarks/run.py  (set DIGITCOURSE_MNIST to use a local copy of MNIST)

Columns: model, chapter, parameters, epochs, training seconds (wall clock of `fit`), test accuracy
on MNIST's 10,000 test images, and the published figure of a peer where a chapter names one.
Every row uses the chapters' own code, from `digitcourse`, and the same split (`dc.load_splits`).
"""

import os
import platform
import time

os.environ["DIGITCOURSE_QUICK"] = "0"  # benchmarks always measure full mode

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import digitcourse as dc  # noqa: E402
from digitcourse.preprocess import flatten_images, normalize  # noqa: E402


def tiny_dense_rows(splits):
    """Chapter 2: the tiny dense network trained on raw and on normalized pixels."""
    from digitcourse.models import tiny_dense_model

    epochs = splits.mode.epochs["normalization"]
    for name, scale in [("raw pixels", lambda x: x.astype(np.float32)), ("normalized", normalize)]:
        dc.set_seed(0)
        model = tiny_dense_model()
        start = time.perf_counter()
        model.fit(flatten_images(scale(splits.x_train)), splits.y_train,
                  epochs=epochs, batch_size=128, verbose=0)
        seconds = time.perf_counter() - start
        _, accuracy = model.evaluate(flatten_images(scale(splits.x_test)), splits.y_test, verbose=0)
        yield {"model": f"tiny dense 784-32-10, SGD, {name}", "chapter": 2,
               "parameters": model.count_params(), "epochs": epochs,
               "train s": round(seconds, 1), "test accuracy": round(accuracy, 4), "peer": ""}


def main():
    splits = dc.load_splits()
    print(f"MNIST: {len(splits.x_train):,} training, {len(splits.x_test):,} test images; "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    rows = [*tiny_dense_rows(splits)]
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
