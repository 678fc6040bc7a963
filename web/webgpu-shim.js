// A workaround for a WebGPU shader bug, loaded into the training worker before the wasm.
//
// cubecl 0.11 (burn 0.22's GPU compiler) autotunes some matmul kernels that start with
// `enable subgroups;` and call subgroupAdd. burn-wgpu asks the browser for a device
// without the `subgroups` feature, so Chromium rejects those shaders ("extension
// 'subgroups' is not allowed"); with the feature on, Chromium's uniformity analysis then
// rejects subgroupAdd in non-uniform control flow. Both only invalidate the autotune
// candidates that use subgroups, but an invalid pipeline poisons the device. So:
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
