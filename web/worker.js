// The bootstrap of every worker of the trainer (module workers). The one who starts it (the
// page, or a training worker starting its helper threads) sends one boot message
// (crates/protocol/src/boot.rs): the role, the trainer's JavaScript glue and its wasm (a
// compiled WebAssembly.Module, or a URL). This imports the glue, instantiates the wasm and
// hands the boot message to Rust (`start` in crates/trainer/src/main.rs), which plays the
// role and answers with a "Booted" message. If the trainer cannot load, the failure goes
// back in the role's own message type (worker-messages.js), so the starter reads it as any
// other message.
import "./webgpu-shim.js";
import { bootFailed } from "./worker-messages.js";

self.addEventListener(
  "message",
  async (event) => {
    const boot = event.data || {};
    try {
      const trainer = await import(boot.glue);
      const exports = await trainer.default({ module_or_path: boot.wasm });
      // For bench/browser.mjs, which reads each worker's wasm memory.
      self.cnnlabWasmMemory = exports.memory;
      trainer.start(boot);
    } catch (error) {
      self.postMessage(bootFailed(boot.role, error));
    }
  },
  { once: true },
);
