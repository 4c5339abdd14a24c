"""Keras reference timing of the serkit CRNN (SPEC.md §4, Table 1).

Prints one JSON line: training samples/s (train_on_batch, batch 16, Adam 1e-4, categorical
cross-entropy, L2 1e-4) and single-utterance prediction latency (predict_on_batch and a direct
call), median of the timed repetitions. Same architecture and input as @serkit/model.

Usage: python keras_bench.py [--train-steps N] [--predict-runs N] [--batch 16] [--classes 8]
"""

import argparse
import json
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras import layers, regularizers  # noqa: E402

BLOCKS = [(64, 9, 2), (64, 7, 4), (128, 5, 4), (128, 3, 4)]


def build(k: int, l2: float = 1e-4) -> keras.Model:
    reg = regularizers.l2(l2) if l2 > 0 else None
    inp = keras.Input(shape=(128, 259, 1))
    x = inp
    for filters, kernel, pool in BLOCKS:
        x = layers.Conv2D(filters, kernel, padding="same", kernel_regularizer=reg)(x)
        x = layers.BatchNormalization(momentum=0.9)(x)
        x = layers.ReLU()(x)
        x = layers.MaxPooling2D(pool_size=pool, strides=pool)(x)
    x = layers.Permute((2, 1, 3))(x)
    x = layers.Reshape((x.shape[1], x.shape[2] * x.shape[3]))(x)
    x = layers.Bidirectional(layers.LSTM(128, kernel_regularizer=reg))(x)
    out = layers.Dense(k, activation="softmax", kernel_regularizer=reg)(x)
    return keras.Model(inp, out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--train-steps", type=int, default=8)
    ap.add_argument("--predict-runs", type=int, default=30)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--classes", type=int, default=8)
    a = ap.parse_args()

    rng = np.random.default_rng(0)
    model = build(a.classes)
    assert model.count_params() == 825_288 or a.classes != 8, model.count_params()
    model.compile(
        optimizer=keras.optimizers.Adam(1e-4),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    x = rng.standard_normal((a.batch, 128, 259, 1)).astype("float32")
    y = keras.utils.to_categorical(rng.integers(0, a.classes, a.batch), a.classes)
    for _ in range(2):  # warm-up (graph tracing)
        model.train_on_batch(x, y)
    steps = []
    for _ in range(a.train_steps):
        t = time.perf_counter()
        model.train_on_batch(x, y)
        steps.append(time.perf_counter() - t)
    step = statistics.median(steps)

    one = x[:1]
    for _ in range(3):
        model.predict_on_batch(one)
        model(one, training=False)
    pob, call = [], []
    for _ in range(a.predict_runs):
        t = time.perf_counter()
        model.predict_on_batch(one)
        pob.append(time.perf_counter() - t)
        t = time.perf_counter()
        model(one, training=False).numpy()
        call.append(time.perf_counter() - t)

    print(
        json.dumps(
            {
                "impl": "keras",
                "tensorflow": tf.__version__,
                "keras": keras.__version__,
                "params": model.count_params(),
                "batch": a.batch,
                "train_step_s": step,
                "train_samples_per_s": a.batch / step,
                "predict_ms": statistics.median(pob) * 1000,
                "predict_call_ms": statistics.median(call) * 1000,
                "train_steps_s": steps,
                "predict_runs_ms": [v * 1000 for v in pob],
                "predict_call_runs_ms": [v * 1000 for v in call],
            }
        )
    )


if __name__ == "__main__":
    main()
