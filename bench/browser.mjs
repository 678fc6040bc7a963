// In-browser CPU training speed of the app itself, in headless Chromium: each model on
// burn's Flex and on burn-ndarray (both in the training worker, wasm + simd128), from the
// app's own "ms per batch" readout after a short run on the demo set.
//
//   scripts/setup-web --e2e && trunk build --release
//   node bench/browser.mjs [--batches 12] [--backends flex,ndarray] [--render-only]
// Prints a markdown table; writes bench/results/browser.json.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const harnessPath = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../tests/e2e/harness.mjs");
const { serve, browser, open, setNumber, root } = await import(harnessPath);

const args = process.argv.slice(2);
const batches = Number(args[args.indexOf("--batches") + 1] || 12) || 12;
const renderOnly = args.includes("--render-only");
const backends = (args.includes("--backends") ? args[args.indexOf("--backends") + 1] : "flex,ndarray").split(",");
const site = await serve();
const chrome = await browser();
const results = [];
let firstRender = [];
try {
  // Time to first render on localhost: navigation start to the app's heading drawn
  // (median of 5 cold page loads, cache off).
  for (let i = 0; i < 5; i++) {
    const context = await chrome.newContext();
    const page = await context.newPage();
    await page.route("**/*", (route) => route.continue({ headers: { ...route.request().headers(), "cache-control": "no-cache" } }));
    await page.goto(site.url);
    await page.getByRole("heading", { name: "CIFAR-10 CNN Lab" }).waitFor();
    firstRender.push(await page.evaluate(() => performance.now()));
    await context.close();
  }
  firstRender.sort((a, b) => a - b);
  for (const model of renderOnly ? [] : ["four", "six"]) {
    for (const backend of backends) {
      const context = await chrome.newContext();
      const { page } = await open(context, site.url + "#/lesson/5");
      await page.getByRole("button", { name: "Use the offline demo set" }).click();
      await page.locator("#model").selectOption(model);
      await setNumber(page, "batch", 32);
      await setNumber(page, "train-size", 32 * batches);
      await setNumber(page, "val-size", 10);
      await setNumber(page, "epochs", 1);
      await page.locator("#backend").selectOption(backend);
      await page.getByRole("button", { name: "Train", exact: true }).click();
      await page.getByText("Finished: every epoch trained.").waitFor({ timeout: 900_000 });
      const status = await page.locator("p.status").innerText();
      const ms = Number(/(\d+) ms per batch/.exec(status)?.[1]);
      results.push({ model, backend, ms_per_batch: ms, images_per_s: (32 * 1000) / ms });
      console.error(`${model} ${backend}: ${status}`);
      await context.close();
    }
  }
} finally {
  await chrome.close();
  site.close();
}
// The app's download: the wasm as built, gzip and brotli (what a static host would send).
const zlib = await import("node:zlib");
const wasmFile = fs.readdirSync(path.join(root, "dist")).find((f) => f.endsWith(".wasm"));
const wasm = fs.readFileSync(path.join(root, "dist", wasmFile));
const size = {
  raw: wasm.length,
  gzip: zlib.gzipSync(wasm, { level: 9 }).length,
  brotli: zlib.brotliCompressSync(wasm, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: wasm.length } }).length,
};
const mb = (n) => (n / 1e6).toFixed(1) + " MB";
const version = (await (await import("node:child_process")).execSync("chromium --version")).toString().trim();
console.log(`In-browser CPU training, batch 32 (${version}, ${os.cpus()[0].model}, ${os.cpus().length} cores)\n`);
console.log(`First render on localhost: ${firstRender[2].toFixed(0)} ms (median of 5; all: ${firstRender.map((t) => t.toFixed(0)).join(", ")})\n`);
console.log(`App wasm: ${mb(size.raw)} raw, ${mb(size.gzip)} gzip -9, ${mb(size.brotli)} brotli -11\n`);
console.log("| model | backend | ms per batch | images/s |");
console.log("| --- | --- | --- | --- |");
for (const r of results) console.log(`| ${r.model}-layer | ${r.backend} | ${r.ms_per_batch} | ${r.images_per_s.toFixed(0)} |`);
fs.mkdirSync(path.join(root, "bench/results"), { recursive: true });
fs.writeFileSync(path.join(root, "bench/results/browser.json"), JSON.stringify({ chromium: version, first_render_ms: firstRender, wasm_bytes: size, results }, null, 2));
