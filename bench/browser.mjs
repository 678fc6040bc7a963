// In-browser CPU training speed of the app itself, in headless Chromium: each model on
// burn's Flex and on burn-ndarray (in the training worker, wasm + simd128), on 1 and more
// CPU threads (Flex), from the app's own "ms per batch" readout after a short run on the
// demo set, with the per-batch cost of synchronising the threads (the status line's
// data-sync-ms). With --memory: a 6-layer run of 3 epochs on 1,000 images per thread
// count, the wasm memory of every worker and the page's JS heap after each epoch. With
// --long: a 4-layer run of 20 epochs on 1,000 images (one thread), the same readings after
// epochs 2 and 20, which should agree within 5% (checkpoints, history and the loss curve
// grow the page's state every epoch; nothing else should).
//
//   scripts/setup-web --e2e && trunk build --release
//   node bench/browser.mjs [--batches 12] [--backends flex,ndarray] [--threads 1,2]
//                          [--memory] [--long] [--no-speed]
// (First render and the wasm sizes: bench/first-lesson.mjs.)
// Prints markdown tables; writes bench/results/browser.json.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const harnessPath = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../tests/e2e/harness.mjs");
const { serve, browser, open, setNumber, root } = await import(harnessPath);

const args = process.argv.slice(2);
const batches = Number(args[args.indexOf("--batches") + 1] || 12) || 12;
const noSpeed = args.includes("--no-speed") || args.includes("--render-only");
const backends = (args.includes("--backends") ? args[args.indexOf("--backends") + 1] : "flex,ndarray").split(",");
const threadCounts = (args.includes("--threads") ? args[args.indexOf("--threads") + 1] : "1,2").split(",").map(Number);
const memoryRun = args.includes("--memory");
const longRun = args.includes("--long");
const memory = [];
let long = null;

/** Bytes of wasm memory in each of the page's workers (the training worker and its helpers). */
async function workerMemory(page) {
  const sizes = [];
  for (const w of page.workers()) {
    try {
      sizes.push(await w.evaluate(() => self.cnnlabWasmMemory ? self.cnnlabWasmMemory.buffer.byteLength : 0));
    } catch { /* a worker that has just ended */ }
  }
  return sizes.filter((n) => n > 0);
}
const site = await serve();
const chrome = await browser({ gc: true });
const results = [];
try {
  const runs = [];
  for (const model of noSpeed ? [] : ["four", "six"]) {
    for (const backend of backends) {
      // ndarray is the plain reference: one thread only.
      for (const threads of backend === "flex" ? threadCounts : [1]) runs.push({ model, backend, threads });
    }
  }
  for (const { model, backend, threads } of runs) {
    const context = await chrome.newContext();
    const { page } = await open(context, site.url + "#/lesson/5");
    await page.getByRole("button", { name: "Use the offline demo set" }).click();
    await page.locator("#model").selectOption(model);
    await setNumber(page, "batch", 32);
    await setNumber(page, "train-size", 32 * batches);
    await setNumber(page, "val-size", 10);
    await setNumber(page, "epochs", 1);
    await page.locator("#backend").selectOption(backend);
    await page.locator("#threads").selectOption(String(threads));
    await page.getByRole("button", { name: "Train", exact: true }).click();
    await page.getByText("Finished: every epoch trained.").waitFor({ timeout: 900_000 });
    const statusLine = page.locator("p.status");
    const status = await statusLine.innerText();
    const ms = Number(/(\d+) ms per batch/.exec(status)?.[1]);
    const used = Number(/· (\d+) threads?\./.exec(status)?.[1] || 0);
    const sync = await statusLine.getAttribute("data-sync-ms");
    results.push({ model, backend, threads: used, ms_per_batch: ms, images_per_s: (32 * 1000) / ms, sync_ms: sync === null ? null : Number(sync) });
    console.error(`${model} ${backend} ${threads} threads: ${status} (sync ${sync} ms)`);
    await context.close();
  }
  for (const threads of memoryRun ? threadCounts : []) {
    const context = await chrome.newContext();
    const { page } = await open(context, site.url + "#/lesson/5");
    await page.getByRole("button", { name: "Use the offline demo set" }).click();
    await page.locator("#model").selectOption("six");
    await setNumber(page, "batch", 32);
    await setNumber(page, "train-size", 1000);
    await setNumber(page, "val-size", 200);
    await setNumber(page, "epochs", 3);
    await page.locator("#backend").selectOption("flex");
    await page.locator("#threads").selectOption(String(threads));
    await page.getByRole("button", { name: "Train", exact: true }).click();
    const epochs = [];
    for (let e = 1; e <= 3; e++) {
      await page.locator("table.history tbody tr").nth(e - 1).waitFor({ timeout: 900_000 });
      const wasm = await workerMemory(page);
      const heap = await page.evaluate(() => { if (self.gc) self.gc(); return performance.memory ? performance.memory.usedJSHeapSize : null; });
      epochs.push({ epoch: e, wasm_bytes: wasm, page_js_heap_bytes: heap });
      console.error(`memory, ${threads} threads, after epoch ${e}: wasm ${wasm.map((b) => (b / 1e6).toFixed(0) + " MB").join(" + ")}, page heap ${(heap / 1e6).toFixed(1)} MB`);
    }
    await page.getByText("Finished: every epoch trained.").waitFor({ timeout: 900_000 });
    memory.push({ model: "six", threads, epochs });
    await context.close();
  }
  if (longRun) {
    const context = await chrome.newContext();
    const { page } = await open(context, site.url + "#/lesson/5");
    await page.getByRole("button", { name: "Use the offline demo set" }).click();
    await page.locator("#model").selectOption("four");
    await setNumber(page, "train-size", 1000);
    await setNumber(page, "val-size", 200);
    await setNumber(page, "epochs", 20);
    await page.locator("#backend").selectOption("flex");
    await page.locator("#threads").selectOption("1");
    await page.getByRole("button", { name: "Train", exact: true }).click();
    const readings = [];
    for (let e = 1; e <= 20; e++) {
      await page.locator("table.history tbody tr").nth(e - 1).waitFor({ timeout: 900_000 });
      // Let the epoch's checkpoint reach IndexedDB and the garbage collector run first.
      await page.waitForTimeout(1500);
      const wasm = (await workerMemory(page)).reduce((a, b) => a + b, 0);
      const heap = await page.evaluate(() => { if (self.gc) self.gc(); return performance.memory ? performance.memory.usedJSHeapSize : null; });
      readings.push({ epoch: e, wasm_bytes: wasm, page_js_heap_bytes: heap });
      console.error(`long run, after epoch ${e}: wasm ${(wasm / 1e6).toFixed(1)} MB, page heap ${(heap / 1e6).toFixed(1)} MB`);
    }
    await page.getByText("Finished: every epoch trained.").waitFor({ timeout: 900_000 });
    long = { model: "four", train_images: 1000, epochs: readings };
    await context.close();
  }
} finally {
  await chrome.close();
  site.close();
}
const version = (await (await import("node:child_process")).execSync("chromium --version")).toString().trim();
console.log(`In-browser CPU training, batch 32 (${version}, ${os.cpus()[0].model}, ${os.cpus().length} cores)\n`);
console.log("| model | backend | threads | ms per batch | images/s | sync ms per batch | speed-up over 1 thread |");
console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
for (const r of results) {
  const one = results.find((x) => x.model === r.model && x.backend === r.backend && x.threads === 1);
  const speedup = one ? (r.images_per_s / one.images_per_s).toFixed(2) + "x" : "";
  console.log(`| ${r.model}-layer | ${r.backend} | ${r.threads} | ${r.ms_per_batch} | ${r.images_per_s.toFixed(1)} | ${r.sync_ms ?? ""} | ${speedup} |`);
}
if (memory.length) {
  console.log("\n6-layer, 3 epochs of 1,000 images: wasm memory of each worker and the page's JS heap after each epoch\n");
  console.log("| threads | after epoch | wasm memory per worker (MB) | all workers (MB) | page JS heap (MB) |");
  console.log("| ---: | ---: | --- | ---: | ---: |");
  for (const m of memory) {
    for (const e of m.epochs) {
      const total = e.wasm_bytes.reduce((a, b) => a + b, 0);
      console.log(`| ${m.threads} | ${e.epoch} | ${e.wasm_bytes.map((b) => (b / 1e6).toFixed(0)).join(" + ")} | ${(total / 1e6).toFixed(0)} | ${(e.page_js_heap_bytes / 1e6).toFixed(1)} |`);
    }
  }
}
if (long) {
  const [two, last] = [long.epochs[1], long.epochs[long.epochs.length - 1]];
  const change = (a, b) => (100 * (b - a) / a).toFixed(1) + "%";
  console.log("\n4-layer, 20 epochs of 1,000 images, one thread: memory after epochs 2 and 20\n");
  console.log("| after epoch | wasm memory, training worker (MB) | page JS heap (MB) |");
  console.log("| ---: | ---: | ---: |");
  for (const r of [two, last]) {
    console.log(`| ${r.epoch} | ${(r.wasm_bytes / 1e6).toFixed(1)} | ${(r.page_js_heap_bytes / 1e6).toFixed(1)} |`);
  }
  console.log(`| change | ${change(two.wasm_bytes, last.wasm_bytes)} | ${change(two.page_js_heap_bytes, last.page_js_heap_bytes)} |`);
}
fs.mkdirSync(path.join(root, "bench/results"), { recursive: true });
fs.writeFileSync(path.join(root, "bench/results/browser.json"), JSON.stringify({ chromium: version, results, memory, long }, null, 2));
