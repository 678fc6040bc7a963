"""Combine bench/all's results into one markdown table and bench/results/all.json.

Ratios: native rows against Keras/TensorFlow-CPU on the same model; browser rows against
TensorFlow.js's best CPU backend that can train the model. Peak: the machine's FP32 peak,
all cores × clock × FLOP per cycle (32 with AVX2 FMA, 64 with AVX-512), against a training
image's cost (244 MFLOP for the 6-layer model, 124 MFLOP for the 4-layer, counted from the layers).
"""
import json
import os
import statistics
import re
import sys

out = sys.argv[1]
MFLOP = {"six": 244e6, "four": 124e6}


def load(name):
    p = os.path.join(out, name)
    return json.load(open(p)) if os.path.exists(p) else None


def cpu_peak():
    info = open("/proc/cpuinfo").read()
    name = next((l.split(":", 1)[1].strip() for l in info.splitlines() if l.startswith("model name")), "?")
    mhz = max(float(l.split(":", 1)[1]) for l in info.splitlines() if l.startswith("cpu MHz"))
    flags = next((l for l in info.splitlines() if l.startswith("flags")), "")
    vendor = next((l.split(":", 1)[1].strip() for l in info.splitlines() if l.startswith("vendor_id")), "")
    family = next((int(l.split(":", 1)[1]) for l in info.splitlines() if l.startswith("cpu family")), 0)
    # Two FMA units per core: 2 × 16 lanes × 2 FLOP with AVX-512, 2 × 8 × 2 with AVX2. AMD's
    # Zen 4 (family 25) runs AVX-512 on 256-bit units, so its peak is AVX2's; Zen 5
    # (family 26) and Intel's AVX-512 parts have the full width.
    wide = " avx512f" in flags and not (vendor == "AuthenticAMD" and family < 26)
    per_cycle = 64 if wide else 32 if " fma" in flags and " avx2" in flags else 8
    cores = os.cpu_count()
    return name, cores, mhz, per_cycle, cores * mhz * 1e6 * per_cycle


name, cores, mhz, per_cycle, peak = cpu_peak()
rows = []


def add(model, where, trainer, train, infer, ratio_to, ratio):
    rows.append({
        "model": model, "where": where, "trainer": trainer,
        "train_images_per_s": train, "infer_images_per_s": infer,
        "ratio_to": ratio_to, "ratio": ratio,
        "peak_fraction": train * MFLOP[model] / peak if train else None,
    })


browser = load("browser.json")
tfjs = load("tfjs.json")
for m in ("four", "six"):
    keras = load(f"keras-{m}.json")
    # Keras's first epoch includes tracing and compilation; its later epochs still vary
    # (1.5x between epochs on a shared 2-core VM), so take the median of the rest.
    k_train = (statistics.median(h["train_images_per_second"] for h in keras["history"][1:] or keras["history"])
               if keras else None)
    for b in ("flex", "flex-burnconv", "ndarray", "wgpu"):
        r = load(f"native-{m}-{b}.json")
        if r:
            label = {"flex": "burn Flex, lab::conv convolutions", "flex-burnconv": "burn Flex, burn's convolutions",
                     "ndarray": "burn-ndarray", "wgpu": "burn-wgpu (lavapipe: Vulkan on the CPU)"}[b]
            add(m, "native", label, r["train_images_per_s"], r["infer_images_per_s"], "Keras",
                r["train_images_per_s"] / k_train if k_train else None)
    if keras:
        add(m, "native", keras["backend"], k_train, keras.get("infer_images_per_second"), "Keras", 1.0)
    # TF.js: the best CPU backend that trains this model (wasm cannot: no conv backprop kernels).
    best = None
    for r in (tfjs or {}).get("rows", []):
        if r["model"] == m and "error" not in r and r["backend"] in ("wasm", "cpu"):
            if best is None or r["train_images_per_s"] > best["train_images_per_s"]:
                best = r
    for r in (browser or {}).get("results", []):
        if r["model"] == m:
            threads = r.get("threads", 1)
            add(m, "Chromium", f"burn {r['backend']} (this app, wasm + simd128, {threads} thread{'s' if threads != 1 else ''})",
                r["images_per_s"], None,
                "TF.js best CPU", r["images_per_s"] / best["train_images_per_s"] if best else None)
    for r in (tfjs or {}).get("rows", []):
        if r["model"] != m:
            continue
        if "error" in r:
            rows.append({"model": m, "where": "Chromium", "trainer": f"{r['peer']} {r['backend']}", "error": r["error"]})
            continue
        label = f"{r['peer']} {r['backend']}" + (" (SwiftShader: GL on the CPU)" if r["backend"] == "webgl" else "")
        add(m, "Chromium", label, r["train_images_per_s"], r["infer_images_per_s"], "TF.js best CPU",
            r["train_images_per_s"] / best["train_images_per_s"] if best else None)

print(f"Machine: {name}, {cores} cores at {mhz:.0f} MHz; FP32 peak {peak / 1e9:.0f} GFLOP/s "
      f"({per_cycle} FLOP/cycle/core). Batch 32, random same-shaped data.\n")
print("| model | where | trainer | training images/s | inference images/s | ratio | % of peak |")
print("| --- | --- | --- | ---: | ---: | ---: | ---: |")
for r in rows:
    if "error" in r:
        missing = re.search(r"Kernel '(\w+)' not registered for backend '(\w+)'", r["error"])
        why = (f"no `{missing[1]}` kernel on TF.js's {missing[2]} backend" if missing
               else r["error"][:80])
        print(f"| {r['model']}-layer | {r['where']} | {r['trainer']} | cannot train: {why} | | | |")
        continue
    fmt = lambda v: "" if v is None else f"{v:,.1f}" if v < 100 else f"{v:,.0f}"
    ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}x {r['ratio_to']}"
    pk = "" if r["peak_fraction"] is None else f"{100 * r['peak_fraction']:.1f}%"
    print(f"| {r['model']}-layer | {r['where']} | {r['trainer']} | {fmt(r['train_images_per_s'])} | {fmt(r['infer_images_per_s'])} | {ratio} | {pk} |")
first = load("first-lesson.json")
if first:
    print("\nFirst lesson drawn on localhost (median of cold loads, bench/first-lesson.mjs): "
          + ", ".join(f"{e} {r['median_ms']:.0f} ms" for e, r in first["engines"].items()) + ".")
    for program, w in first["wasm"].items():
        print(f"{program.capitalize()} wasm: {w['raw'] / 1e6:.2f} MB raw, {w['gzip'] / 1e6:.2f} MB gzip, "
              f"{w['brotli'] / 1e6:.2f} MB brotli.")
json.dump({"machine": name, "cores": cores, "mhz": mhz, "peak_flops": peak, "rows": rows,
           "first_lesson": first},
          open(os.path.join(os.path.dirname(out), "all.json"), "w"), indent=2)
