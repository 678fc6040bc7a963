"""TensorFlow's matmul on the shapes `cargo run --release -p cnnlab --example gemm` times,
one JSON line per shape, so bench/gemm can set the two side by side."""
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf  # noqa: E402

for line in sys.stdin:
    s = json.loads(line)
    a = tf.random.uniform([s["m"], s["k"]])
    b = tf.random.uniform([s["k"], s["n"]])
    for _ in range(3):
        tf.matmul(a, b)[0, 0].numpy()
    reps = 20
    t = time.perf_counter()
    for _ in range(reps):
        tf.matmul(a, b)[0, 0].numpy()
    sec = (time.perf_counter() - t) / reps
    print(json.dumps({"shape": s["shape"], "ms": round(sec * 1e3, 3),
                      "gflops": round(2 * s["m"] * s["k"] * s["n"] / sec / 1e9, 1)}))
