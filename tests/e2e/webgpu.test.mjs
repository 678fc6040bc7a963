// WebGPU in headless Chromium. Without a GPU, Chromium's adapter is SwiftShader, a
// software fallback: seconds per batch and most of a minute compiling shaders. Two
// batches on WebGPU prove the path end to end: burn-wgpu's async init in the worker, the
// WGSL workarounds (web/webgpu-shim.js), async reads, evaluation and the epoch report, on
// an adapter that offers no `timestamp-query` (hidden here, as WebGPU's compatibility mode
// and some Safari and Firefox adapters lack it), which burn once could not start on.
// About 70 s here; CNNLAB_E2E_WEBGPU=0 skips it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, browser, open, setNumber } from "./harness.mjs";

const wanted = process.env.CNNLAB_E2E_WEBGPU !== "0";
let site, chrome;
before(async () => { if (wanted) { site = await serve(); chrome = await browser({ webgpu: true }); } });
after(async () => { await chrome?.close(); site?.close(); });

/** Runs before the app's WebGPU shim in the trainer's workers: an adapter without timestamp
 * queries, which refuses a device that asks for them, as a real one does. */
const HIDE_TIMESTAMPS = `
if (self.GPUAdapter) {
  const real = Object.getOwnPropertyDescriptor(GPUAdapter.prototype, "features");
  Object.defineProperty(GPUAdapter.prototype, "features", { configurable: true, get() {
    return new Set([...real.get.call(this)].filter((f) => f !== "timestamp-query"));
  } });
  const requestDevice = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = function (d) {
    if (d && d.requiredFeatures && Array.from(d.requiredFeatures).includes("timestamp-query")) {
      return Promise.reject(new TypeError("the adapter has no timestamp-query"));
    }
    return requestDevice.call(this, d);
  };
}
`;

test("a short run on WebGPU, on an adapter without timestamp queries", { skip: !wanted && "SKIPPED: CNNLAB_E2E_WEBGPU=0" }, async () => {
  // The service worker would answer the shim from its cache, past the route.
  const context = await chrome.newContext({ serviceWorkers: "block" });
  await context.route(/\/webgpu-shim-[0-9a-f]+\.js$/, async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, body: HIDE_TIMESTAMPS + (await response.text()) });
  });
  const { page } = await open(context, site.url + "#/lesson/5");
  await page.getByText(/WebGPU adapter|WebGPU here is a software adapter|No WebGPU/).first().waitFor({ timeout: 30_000 });
  await page.getByRole("button", { name: "Use the offline demo set" }).click();
  await page.locator("#model").selectOption("four");
  await setNumber(page, "train-size", 64);
  await setNumber(page, "val-size", 20);
  await setNumber(page, "epochs", 1);
  await page.locator("#backend").selectOption("webgpu");
  await page.getByRole("button", { name: "Train", exact: true }).click();
  await page.getByText(/On WebGPU: /).waitFor({ timeout: 120_000 });
  await page.getByText("Finished: every epoch trained.").waitFor({ timeout: 540_000 });
  assert.equal(await page.locator("table.history tbody tr").count(), 1);
  await context.close();
});
