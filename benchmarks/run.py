"""Train each of the course's models in full mode and print one table.

Usage: python benchmarks/run.py [chapter ...]   e.g. python benchmarks/run.py 03_numpy_network
(set DIGITCOURSE_MNIST to use a local copy of MNIST).

The script executes each chapter notebook in full mode, exactly as the book build does, and reads the
figures the chapter itself glues (myst-nb `glue`): so the table measures the chapter's own code and
settings, with no second copy of them here. Columns: model, parameters, epochs, training seconds
(wall clock of the training call, inside the chapter), test accuracy on MNIST's 10,000 test images,
and a published figure of a peer where a chapter names one.
"""

import ast
import os
import platform
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]

# chapter -> rows: (model, parameters key, epochs key, seconds key, accuracy key, published peer)
ROWS = {
    "02_preprocessing": [
        ("tiny dense 784-32-10, SGD, normalized pixels",
         "tiny_params", "norm_epochs", "tiny_seconds", "tiny_test_acc", ""),
    ],
    "03_numpy_network": [
        ("NumPy network 784-256-10, Adam, cosine schedule",
         "num_params", "epochs", "train_seconds", "test_accuracy",
         "Nielsen's NumPy network2: 98.04%"),
        ("scikit-learn MLPClassifier 784-256-10, Adam",
         "num_params", "sklearn_epochs", "sklearn_seconds", "sklearn_accuracy", ""),
    ],
    "04_keras_mlp": [
        ("Keras MLP 784-512-512-10, dropout, Adam, early stopping",
         "mlp_params", "mlp_epochs", "mlp_seconds", "mlp_test_acc",
         "Keras mnist_mlp example: 98.40%"),
    ],
}


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
            rows.append({"model": model, "chapter": chapter[:2], "parameters": values[params],
                         "epochs": values[epochs], "train s": round(values[train_s], 1),
                         "test accuracy": f"{values[accuracy]:.2%}", "published peer": peer})
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main(sys.argv[1:] or list(ROWS))
