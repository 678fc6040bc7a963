// WebGPU in headless Chromium. Without a GPU, Chromium's adapter is SwiftShader, a
// software fallback: seconds per batch and most of a minute compiling shaders. Two
// batches on WebGPU prove the path end to end: burn-wgpu's async init in the worker, the
// WGSL workaround (web/webgpu-shim.js), async reads, evaluation and the epoch report.
// About 70 s here; CNNLAB_E2E_WEBGPU=0 skips it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, browser, open, setNumber } from "./harness.mjs";

const wanted = process.env.CNNLAB_E2E_WEBGPU !== "0";
let site, chrome;
before(async () => { if (wanted) { site = await serve(); chrome = await browser({ webgpu: true }); } });
after(async () => { await chrome?.close(); site?.close(); });

test("a short run on WebGPU", { skip: !wanted && "SKIPPED: CNNLAB_E2E_WEBGPU=0" }, async () => {
  const context = await chrome.newContext();
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
