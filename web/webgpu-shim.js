// Two workarounds for burn's GPU stack in a browser, loaded into the trainer's workers
// before the wasm (web/worker.js imports this first).
//
// A. A shader bug.
// cubecl 0.11 (burn 0.22's GPU compiler) tries some matmul kernels that start with
// `enable subgroups;` and call subgroupAdd. burn-wgpu asks the browser for a device
// without the `subgroups` feature, so Chromium rejects those shaders ("extension
// 'subgroups' is not allowed"); with the feature on, Chromium's uniformity analysis then
// rejects subgroupAdd in non-uniform control flow. Both only invalidate the kernels that
// use subgroups, but an invalid pipeline poisons the device. So:
//  1. when the adapter supports subgroups, request the device with that feature;
//  2. turn the subgroup-uniformity diagnostic off in shaders that enable subgroups.
// Shaders without subgroups pass through untouched. If a shader still fails, the worker
// reports a device failure and the page falls back to the CPU, keeping the run.
if (self.GPUAdapter && self.GPUDevice) {
  const requestDevice = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = function (descriptor) {
    const wanted = Object.assign({}, descriptor || {});
    if (this.features && this.features.has("subgroups")) {
      const features = new Set(wanted.requiredFeatures || []);
      features.add("subgroups");
      wanted.requiredFeatures = Array.from(features);
    }
    return requestDevice.call(this, wanted);
  };
  const createShaderModule = GPUDevice.prototype.createShaderModule;
  const enable = "enable subgroups;";
  const diagnostic = "diagnostic(off, subgroup_uniformity);";
  GPUDevice.prototype.createShaderModule = function (descriptor) {
    const code = descriptor && descriptor.code;
    if (typeof code === "string" && code.includes(enable) && !code.includes(diagnostic)) {
      descriptor = Object.assign({}, descriptor, { code: code.replace(enable, enable + "\n" + diagnostic) });
    }
    return createShaderModule.call(this, descriptor);
  };
}

// B. Adapters without `timestamp-query` (WebGPU's compatibility mode; some Safari and
// Firefox adapters). cubecl 0.11 chooses how it would time kernels from the adapter's
// features when it opens the device, and without that feature it takes "system" timing,
// which in a browser panics as soon as a stream is made (it would have to block): every
// such adapter was refused, and its learner trained on the CPU. Nothing is timed in this
// build, though: burn's kernel autotuning (its `autotune` feature) is off, so the kernels
// are fixed and no profile is ever taken (BENCHMARKS.md, "WebGPU without timestamp
// queries"). So such an adapter says it has the feature, and the device is asked for
// without it. Were a kernel ever timed, the query would fail as a device error, and the
// run would go on on the CPU, as for any failed GPU.
if (self.GPUAdapter) {
  const TIMESTAMPS = "timestamp-query";
  const real = Object.getOwnPropertyDescriptor(GPUAdapter.prototype, "features");
  if (real && real.get) {
    Object.defineProperty(GPUAdapter.prototype, "features", {
      configurable: true,
      get() {
        const features = real.get.call(this);
        if (features.has(TIMESTAMPS)) return features;
        return new Set([...features, TIMESTAMPS]);
      },
    });
    const requestDevice = GPUAdapter.prototype.requestDevice;
    GPUAdapter.prototype.requestDevice = function (descriptor) {
      if (real.get.call(this).has(TIMESTAMPS) || !descriptor || !descriptor.requiredFeatures) {
        return requestDevice.call(this, descriptor);
      }
      const wanted = Object.assign({}, descriptor, {
        requiredFeatures: Array.from(descriptor.requiredFeatures).filter((f) => f !== TIMESTAMPS),
      });
      return requestDevice.call(this, wanted);
    };
  }
}
