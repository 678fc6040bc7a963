#!/usr/bin/env python3
"""Keras 3 / TensorFlow-CPU peer: the tutorial's two CNNs with its exact settings, trained
on the same CIFAR-10 binary files cnnlab reads, for side-by-side timing and accuracy.

    bench/keras-peer --model six --epochs 1 --train-limit 5000 --data ../shared/cifar10/cifar-10-binary.tar.gz --json out.json

Prints a Keras log per epoch and writes JSON in the same shape as `cnnlab train --json`.
"""
import argparse
import io
import json
import os
import sys
import tarfile
import time

import numpy as np


def load_cifar(path):
    """Read the CIFAR-10 binary layout from a directory or the .tar.gz (NHWC float32 in [0, 1])."""
    names = [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]
    blobs = {}
    if os.path.isdir(path):
        base = path
        if not os.path.exists(os.path.join(base, "test_batch.bin")):
            base = os.path.join(base, "cifar-10-batches-bin")
        for n in names:
            with open(os.path.join(base, n), "rb") as f:
                blobs[n] = f.read()
    else:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar.getmembers():
                base = os.path.basename(member.name)
                if base in names:
                    blobs[base] = tar.extractfile(member).read()
    def parse(raw):
        rec = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3073)
        labels = rec[:, 0].astype(np.int64)
        images = rec[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).astype(np.float32) / 255.0
        return images, labels
    train = [parse(blobs[n]) for n in names[:5]]
    x_train = np.concatenate([t[0] for t in train])
    y_train = np.concatenate([t[1] for t in train])
    x_test, y_test = parse(blobs["test_batch.bin"])
    return x_train, y_train, x_test, y_test


def build(model_id, keras):
    from keras import layers, constraints
    m = keras.Sequential()
    m.add(keras.Input((32, 32, 3)))
    if model_id == "six":
        for filters in (32, 64, 128):
            m.add(layers.Conv2D(filters, 3, padding="same", activation="relu"))
            m.add(layers.Dropout(0.2))
            m.add(layers.Conv2D(filters, 3, padding="same", activation="relu"))
            m.add(layers.MaxPooling2D(2))
        m.add(layers.Flatten())
        m.add(layers.Dropout(0.2))
        m.add(layers.Dense(1024, activation="relu", kernel_constraint=constraints.MaxNorm(3)))
        m.add(layers.Dropout(0.2))
        m.add(layers.Dense(10, activation="softmax"))
        lr, momentum, nesterov = 0.01, 0.9, False
    else:
        m.add(layers.Conv2D(32, 3, padding="same", activation="relu"))
        m.add(layers.Conv2D(32, 3, activation="relu"))
        m.add(layers.MaxPooling2D(2))
        m.add(layers.Dropout(0.25))
        m.add(layers.Conv2D(64, 3, padding="same", activation="relu"))
        m.add(layers.Conv2D(64, 3, activation="relu"))
        m.add(layers.MaxPooling2D(2))
        m.add(layers.Dropout(0.25))
        m.add(layers.Flatten())
        m.add(layers.Dense(512, activation="relu"))
        m.add(layers.Dropout(0.5))
        m.add(layers.Dense(10, activation="softmax"))
        lr, momentum, nesterov = 0.1, 0.0, True
    # The tutorial's old `decay=1e-6`: lr / (1 + decay * t), t in batches.
    schedule = keras.optimizers.schedules.InverseTimeDecay(lr, decay_steps=1, decay_rate=1e-6)
    opt = keras.optimizers.SGD(learning_rate=schedule, momentum=momentum, nesterov=nesterov)
    m.compile(loss="categorical_crossentropy", optimizer=opt, metrics=["accuracy"])
    return m


def engine(keras):
    """Keras's version, its backend and the device it trains on."""
    name = keras.backend.backend()
    if name == "tensorflow":
        import tensorflow as tf
        gpu = tf.config.list_physical_devices("GPU")
        return f"keras {keras.__version__} / tensorflow {tf.__version__} ({'GPU' if gpu else 'CPU'})"
    if name == "torch":
        import torch
        dev = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "CPU"
        return f"keras {keras.__version__} / torch {torch.__version__} ({dev})"
    return f"keras {keras.__version__} / {name}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", choices=["four", "six"], required=True)
    ap.add_argument("--data", help="CIFAR-10 directory or .tar.gz")
    ap.add_argument("--synthetic", type=int, metavar="N",
                    help="instead of --data: N random same-shaped training images (for speed only)")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--train-limit", type=int)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json")
    a = ap.parse_args()

    if not a.data and not a.synthetic:
        ap.error("give --data or --synthetic N")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    keras.utils.set_random_seed(a.seed)

    if a.synthetic:
        rng = np.random.default_rng(a.seed)
        x_train = rng.random((a.synthetic, 32, 32, 3), dtype=np.float32)
        y_train = rng.integers(0, 10, a.synthetic)
        x_test = rng.random((1000, 32, 32, 3), dtype=np.float32)
        y_test = rng.integers(0, 10, 1000)
    else:
        x_train, y_train, x_test, y_test = load_cifar(a.data)
    if a.train_limit:
        x_train, y_train = x_train[: a.train_limit], y_train[: a.train_limit]
    y_train_1h = keras.utils.to_categorical(y_train, 10)
    y_test_1h = keras.utils.to_categorical(y_test, 10)
    model = build(a.model, keras)

    history = []
    train_seconds = 0.0
    started = time.time()
    for epoch in range(a.epochs):
        t0 = time.time()
        h = model.fit(x_train, y_train_1h, batch_size=a.batch_size, epochs=1, shuffle=True, verbose=2)
        t_train = time.time() - t0
        train_seconds += t_train
        val_loss, val_acc = model.evaluate(x_test, y_test_1h, batch_size=500, verbose=0)
        seconds = time.time() - t0
        print(f"Epoch {epoch + 1}/{a.epochs} - {seconds:.0f}s - val_loss: {val_loss:.4f} - "
              f"val_accuracy: {val_acc:.4f} - {len(x_train) / t_train:.0f} images/s", flush=True)
        history.append({
            "epoch": epoch + 1,
            "train_loss": float(h.history["loss"][0]),
            "train_accuracy": float(h.history["accuracy"][0]),
            "val_loss": float(val_loss),
            "val_accuracy": float(val_acc),
            "seconds": seconds,
            "train_seconds": t_train,
            "train_images_per_second": len(x_train) / t_train,
        })
    pred = np.argmax(model.predict(x_test, batch_size=500, verbose=0), axis=1)
    # Inference throughput, warm (the call above compiled it): chunks of 250 as the app uses.
    t0 = time.time()
    model.predict(x_test, batch_size=250, verbose=0)
    infer_images_per_second = len(x_test) / (time.time() - t0)
    cm = np.zeros((10, 10), dtype=np.int64)
    np.add.at(cm, (y_test, pred), 1)
    run = {
        "model": a.model,
        "backend": engine(keras),
        "epochs": a.epochs,
        "batch_size": a.batch_size,
        "train_images": int(len(x_train)),
        "history": history,
        "test_accuracy": float((pred == y_test).mean()),
        "confusion_matrix": cm.tolist(),
        "images_per_second": len(x_train) * a.epochs / train_seconds,
        "train_seconds": train_seconds,
        "infer_images_per_second": infer_images_per_second,
        "total_seconds": time.time() - started,
    }
    print(f"Test accuracy: {100 * run['test_accuracy']:.2f}%  Training: {run['images_per_second']:.0f} images/s")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(run, f, indent=2)


if __name__ == "__main__":
    sys.exit(main())
