"""What makes Keras train fast on a CPU? Time chapter 5's CNN, chapter 8's network (and chapter 4's
MLP) per epoch under different settings and print one table.

Usage: python benchmarks/keras_speed.py [--runs N] [--only TEXT]   (set DIGITCOURSE_MNIST to use a
local copy of MNIST; --only keeps the settings whose name contains TEXT)

Each setting runs in a fresh Python process (TensorFlow's thread pools are fixed at start-up),
trains for 2 epochs on the full-mode training set (55,000 images) and reports the seconds of the
second epoch (the first also traces the graph), the time of the first, and the cores the second
used (the process's CPU time over the wall-clock time: at most 2 on a 2-core machine). On a 2-core
CPU the epoch time of chapter 8's network was bimodal from run to run (about 1.2 or 1.9 cores) until
``digitcourse.pipeline`` turned off autotuning in Keras' input pipeline (its "autotuned input" row
puts it back); compare settings over several runs (--runs). Accuracy is not compared here: the settings that
change the arithmetic (batch size) are judged by the chapters' own runs. Chapter 8's network
cannot use XLA (its augmentation layer has no XLA kernel), so it has no jit_compile row.
"""

import argparse
import json
import os
import subprocess
import sys
import time

import pandas as pd

SETTINGS = {  # name -> (model, batch size, steps_per_execution, jit_compile, threads, input)
    "CNN, chapter 5's settings": ("cnn", 128, 16, False, 0, "numpy"),
    "CNN, steps_per_execution=1": ("cnn", 128, 1, False, 0, "numpy"),
    "CNN, jit_compile=True (XLA)": ("cnn", 128, 16, True, 0, "numpy"),
    "CNN, batch size 64": ("cnn", 64, 16, False, 0, "numpy"),
    "CNN, batch size 256": ("cnn", 256, 16, False, 0, "numpy"),
    "CNN, 1 intra-op thread": ("cnn", 128, 16, False, 1, "numpy"),
    "CNN, tf.data pipeline": ("cnn", 128, 16, False, 0, "tf.data"),
    "chapter 8's network, its settings": ("cnn_plus", 128, 16, False, 0, "numpy"),
    "chapter 8's network, fused batch normalization": ("cnn_plus_fused_bn", 128, 16, False, 0, "numpy"),
    "chapter 8's network, steps_per_execution=1": ("cnn_plus", 128, 1, False, 0, "numpy"),
    "chapter 8's network, autotuned input (Keras' default)": ("cnn_plus", 128, 16, False, 0, "numpy, autotuned"),
    "MLP, chapter 4's settings": ("mlp", 128, 16, False, 0, "numpy"),
    "MLP, steps_per_execution=1": ("mlp", 128, 1, False, 0, "numpy"),
}


def run_one(model_name, batch_size, steps_per_execution, jit_compile, threads, input_kind):
    """Train for 2 epochs with one setting; return {"first epoch s", "epoch s"}."""
    import tensorflow as tf

    if threads:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
    import keras

    import digitcourse as dc  # it turns off autotuning in Keras' input pipeline (digitcourse.pipeline)
    from digitcourse import models
    from digitcourse.preprocess import add_channel_axis, flatten_images, normalize, one_hot

    splits = dc.load_splits(mode=dc.mode.FULL)
    dc.set_seed(0)
    if model_name == "cnn":
        x, y = add_channel_axis(normalize(splits.x_train)), splits.y_train
        model = models.cnn_model(steps_per_epoch=-(-len(x) // batch_size), epochs=2)
    elif model_name.startswith("cnn_plus"):
        x, y = add_channel_axis(normalize(splits.x_train)), one_hot(splits.y_train)
        if model_name.endswith("fused_bn"):
            from fused_batch_norm import FusedBatchNormalization  # beside this script
            layer = {"batch_norm": FusedBatchNormalization}
        else:
            layer = {}
        model = models.cnn_plus_model(-(-len(x) // batch_size), 2, **layer)
    else:
        x, y = flatten_images(normalize(splits.x_train)), one_hot(splits.y_train)
        model = models.mlp_model()
    model.compile(optimizer=model.optimizer, loss=model.loss, metrics=["accuracy"],
                  jit_compile=jit_compile, steps_per_execution=steps_per_execution)

    times = []

    class Timer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter(), time.process_time()

        def on_epoch_end(self, epoch, logs=None):
            times.append((time.perf_counter() - self.start[0], time.process_time() - self.start[1]))

    if input_kind == "numpy, autotuned":  # undo digitcourse.pipeline: Keras' own pipeline
        from keras.src.trainers.data_adapters.array_data_adapter import ArrayDataAdapter

        ArrayDataAdapter.get_tf_dataset = ArrayDataAdapter.get_tf_dataset.__wrapped__
    if input_kind == "tf.data":
        data = (tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=0)
                .batch(batch_size).prefetch(tf.data.AUTOTUNE))
        model.fit(data, epochs=2, callbacks=[Timer()], verbose=0)
    else:
        model.fit(x, y, batch_size=batch_size, epochs=2, callbacks=[Timer()], verbose=0)
    (first, _), (wall, cpu) = times
    return {"first epoch s": round(first, 1), "epoch s": round(wall, 1), "cores": round(cpu / wall, 2)}


def main(runs=1, only=""):
    print(f"{os.cpu_count()} CPUs; each setting trains 2 epochs on 55,000 images, {runs} run(s)", flush=True)
    rows = []
    for name, setting in SETTINGS.items():
        if only not in name:
            continue
        for run in range(1, runs + 1):
            out = subprocess.run([sys.executable, __file__, "--one", json.dumps(setting)],
                                 capture_output=True, text=True, check=True)
            result = json.loads(out.stdout.strip().splitlines()[-1])
            rows.append({"setting": name, "run": run, **result})
            print(f"{name}, run {run}: {result}", flush=True)
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        print(json.dumps(run_one(*json.loads(sys.argv[2]))))
    else:
        parser = argparse.ArgumentParser(description="Time Keras training settings on this CPU.")
        parser.add_argument("--runs", type=int, default=1, help="runs of each setting (default 1)")
        parser.add_argument("--only", default="", help="keep the settings whose name contains this text")
        arguments = parser.parse_args()
        main(arguments.runs, arguments.only)
