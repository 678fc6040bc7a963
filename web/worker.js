// The training worker's bootstrap (a module worker). It runs the page's own wasm: the
// page sends the URLs of its JavaScript module and wasm file (trunk gives them hashed
// names), this imports them and hands over to Rust (`worker_entry`), which answers with a
// "Booted" message and handles everything after that.
import "./webgpu-shim.js";

self.addEventListener(
  "message",
  async (event) => {
    const { boot, wasm } = event.data || {};
    try {
      const app = await import(boot);
      await app.default(wasm ? { module_or_path: wasm } : undefined);
      app.worker_entry();
    } catch (error) {
      const message = "the training worker could not load the app: " + (error && error.message || error);
      self.postMessage({ json: JSON.stringify({ Failed: { kind: "Device", message } }), buffers: [] });
    }
  },
  { once: true },
);
