// The bootstrap of the app's workers (module workers). They run the page's own wasm: the
// page (or, for a helper thread, the training worker) sends the URLs of the app's
// JavaScript module and wasm file (trunk gives them hashed names); this imports them and
// hands over to Rust: `worker_entry` in the training worker, `helper_entry` in a helper
// thread of a multi-threaded CPU run. Each answers with a "Booted" message and handles
// everything after that.
import "./webgpu-shim.js";

self.addEventListener(
  "message",
  async (event) => {
    const { boot, wasm, role } = event.data || {};
    const helper = role === "helper";
    try {
      const app = await import(boot);
      const exports = await app.default(wasm ? { module_or_path: wasm } : undefined);
      // For bench/browser.mjs, which reads each worker's wasm memory.
      self.cnnlabWasmMemory = exports.memory;
      if (helper) app.helper_entry();
      else app.worker_entry(boot, wasm || "");
    } catch (error) {
      const message = (helper ? "a helper thread" : "the training worker") +
        " could not load the app: " + (error && error.message || error);
      const json = helper ? JSON.stringify({ Failed: message }) : JSON.stringify({ Failed: { kind: "Device", message } });
      self.postMessage({ json, buffers: [] });
    }
  },
  { once: true },
);
