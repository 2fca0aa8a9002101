"""Train each of the course's models in full mode and print one table.

Usage: python benchmarks/run.py [chapter ...]   e.g. python benchmarks/run.py 03_numpy_network
       python benchmarks/run.py --seeds N [--first-seed S] [model ...]   e.g. python benchmarks/run.py --seeds 3 cnn
(set DIGITCOURSE_MNIST to use a local copy of MNIST).

The script executes each chapter notebook in full mode, exactly as the book build does, and reads the
figures the chapter itself glues (myst-nb `glue`): so the table measures the chapter's own code and
settings, with no second copy of them here. Columns: model, parameters, epochs, training seconds
(wall clock of the training call, inside the chapter), test accuracy on MNIST's 10,000 test images,
and a published figure of a peer where a chapter names one.

With chapter 5 in the list, the script also trains Keras' "Simple MNIST convnet" example
(`digitcourse.models.keras_simple_convnet`) in the same run, with the example's own protocol (all
60,000 training images, `validation_split=0.1`, batch size 128, 15 epochs), as the peer row.

With ``--seeds N`` the script executes no notebook: it trains each model (``cnn``, ``keras_convnet``,
``mlp``, ``numpy_mlp``, ``cnn_plus``, ``ensemble``; all six by default) N times, with seeds S to S + N - 1
(``--first-seed S``, 0 by default; an ensemble's run k: members 3k to 3k + 2, so run 0 is chapter 8's
ensemble; chapter 8's models predict as the chapter does), using the package's
training functions with the chapters' settings (``benchmarks/seeds.py``), and prints each run's test
accuracy with its 95% Wilson interval, then per model the mean ± standard deviation over seeds (with two
or more) of the test accuracy and of the training seconds, and, with ``cnn`` and ``keras_convnet``, how the two compare
across seeds. ``--quick`` uses quick mode's data and epochs instead of full mode's, for a smoke test.
"""

import argparse
import ast
import os
import platform
import time
from pathlib import Path

import nbformat
import pandas as pd
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]

# chapter -> rows: (model, parameters key, epochs key, seconds key, accuracy key, published peer);
# None where a model has no epochs or training time (the nearest-centroid classifier).
ROWS = {
    "01_mnist_data": [
        ("nearest centroid (the ten mean digits)",
         "ch1_centroid_params", None, None, "ch1_centroid_accuracy", ""),
    ],
    "02_preprocessing": [
        ("tiny dense 784-32-10, SGD, normalized pixels",
         "tiny_params", "norm_epochs", "tiny_seconds", "tiny_test_acc", ""),
    ],
    "03_numpy_network": [
        ("softmax regression 784-10 (no hidden layer), same NumPy code",
         "ch3_softmax_params", "ch3_softmax_epochs", "ch3_softmax_seconds", "ch3_softmax_accuracy", ""),
        ("NumPy network 784-256-10, Adam, cosine schedule",
         "num_params", "epochs", "train_seconds", "test_accuracy",
         "Nielsen's NumPy network2: 98.04% (validation)"),
        ("scikit-learn MLPClassifier 784-256-10, Adam",
         "num_params", "sklearn_epochs", "sklearn_seconds", "sklearn_accuracy", ""),
    ],
    "04_keras_mlp": [
        ("Keras MLP 784-512-512-10, dropout, Adam, early stopping",
         "mlp_params", "mlp_epochs", "mlp_seconds", "mlp_test_acc",
         "Keras mnist_mlp example: 98.40%"),
    ],
    "05_cnn": [
        ("Keras CNN, 2 conv stages + dense 128, warm-up + cosine",
         "cnn_params", "cnn_epochs", "cnn_seconds", "cnn_test_acc",
         "Keras Simple MNIST convnet: 99.22%"),
    ],
    # The chapter's network (seed 0) and the ensemble, each with test-time augmentation if the chapter's
    # validation set chose it (the chapter's ablation is on validation data, not in this table).
    "08_going_further": [
        ("chapter 8's network (4 conv layers, batch normalization, augmentation), seed 0",
         "ch8_params_deep", "ch8_epochs", "ch8_seconds_deep", "ch8_acc_deep",
         "Deotte's BN + augmentation CNN: 99.64% (mean, GPU, 35-45 epochs)"),
        ("ensemble of such networks (seeds 0, 1, ...)",
         "ch8_params_ensemble", "ch8_epochs", "ch8_seconds_ensemble", "ch8_acc_ensemble",
         "Deotte's ensemble of 15: 99.75%"),
    ],
}


def keras_simple_convnet_row():
    """Train Keras' "Simple MNIST convnet" as its example does; return its benchmark row."""
    import keras

    import digitcourse as dc
    from digitcourse.models import keras_simple_convnet
    from digitcourse.preprocess import add_channel_axis, normalize, one_hot

    (x_train, y_train), (x_test, y_test) = dc.load_mnist()
    dc.set_seed(0)
    model = keras_simple_convnet()
    start = time.perf_counter()
    model.fit(add_channel_axis(normalize(x_train)), one_hot(y_train), batch_size=128, epochs=15,
              validation_split=0.1, verbose=2)
    seconds = time.perf_counter() - start
    accuracy = model.evaluate(add_channel_axis(normalize(x_test)), one_hot(y_test), verbose=0)[1]
    keras.backend.clear_session()
    return {"model": "peer: Keras Simple MNIST convnet, same run", "chapter": "05",
            "parameters": model.count_params(), "epochs": 15, "train s": round(seconds, 1),
            "test accuracy": f"{accuracy:.2%}", "published peer": "reports 99.22%"}


def glued_values(chapter):
    """Execute a chapter in full mode; return {glue name: value} and the wall-clock seconds."""
    notebook = nbformat.read(ROOT / "chapters" / f"{chapter}.ipynb", as_version=4)
    os.environ["DIGITCOURSE_QUICK"] = "0"  # the kernel inherits the environment
    start = time.perf_counter()
    NotebookClient(notebook, timeout=1800, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "chapters")}}).execute()
    seconds = time.perf_counter() - start
    values = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                values[name] = ast.literal_eval(output["data"]["application/papermill.record/text/plain"])
    return values, seconds


def main(chapters):
    print(f"{platform.machine()}, {os.cpu_count()} CPUs; full mode; "
          f"MNIST from {os.environ.get('DIGITCOURSE_MNIST') or 'Keras download'}")
    rows = []
    for chapter in chapters:
        values, seconds = glued_values(chapter)
        print(f"executed {chapter} in {seconds:.0f} s", flush=True)
        for model, params, epochs, train_s, accuracy, peer in ROWS[chapter]:
            if accuracy not in values:  # a row the chapter decided to leave out
                continue
            rows.append({"model": model, "chapter": chapter[:2], "parameters": values[params],
                         "epochs": values[epochs] if epochs else "-",
                         "train s": round(values[train_s], 1) if train_s else "-",
                         "test accuracy": f"{values[accuracy]:.2%}", "published peer": peer})
        if chapter == "05_cnn":
            rows.append(keras_simple_convnet_row())
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    import seeds

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="name",
                        help=f"chapters ({', '.join(ROWS)}; default all), or with --seeds models "
                             f"({', '.join(seeds.MODELS)}; default all)")
    parser.add_argument("--seeds", type=int, metavar="N",
                        help="train each model with seeds S to S + N - 1 and print mean ± sd")
    parser.add_argument("--first-seed", type=int, default=0, metavar="S",
                        help="with --seeds: the first seed (default 0)")
    parser.add_argument("--quick", action="store_true", help="with --seeds: quick mode, for a smoke test")
    args = parser.parse_args()
    if args.seeds is None:
        if args.quick or args.first_seed:
            parser.error("--quick and --first-seed go with --seeds "
                         "(the chapter table is always measured in full mode, from seed 0)")
        unknown = sorted(set(args.names) - set(ROWS))
        if unknown:
            parser.error(f"unknown chapter {', '.join(unknown)}; choose from {', '.join(ROWS)}")
        main(args.names or list(ROWS))
    else:
        unknown = sorted(set(args.names) - set(seeds.MODELS))
        if unknown:
            parser.error(f"unknown model {', '.join(unknown)}; choose from {', '.join(seeds.MODELS)}")
        if args.seeds < 1 or args.first_seed < 0:
            parser.error("--seeds needs N >= 1 and --first-seed S >= 0")
        seeds.main(args.names, range(args.first_seed, args.first_seed + args.seeds), quick=args.quick)
