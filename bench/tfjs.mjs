// TensorFlow.js peer, in the same headless Chromium as the app: the tutorial's two CNNs
// (bench/tfjs/page.html) trained on same-shaped random batches of 32 on each TF.js
// backend the browser offers. The page is served cross-origin isolated (COOP/COEP), so
// TF.js's wasm backend may use its threaded build: the peer at its best.
//
//   (cd bench/tfjs && npm ci)
//   node bench/tfjs.mjs [--backends wasm,cpu,webgl,webgpu] [--models four,six] [--batches 10]
// Prints a markdown table; writes bench/results/tfjs.json.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";

const here = path.dirname(new URL(import.meta.url).pathname);
const { browser } = await import(path.join(here, "../tests/e2e/harness.mjs"));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const backends = arg("--backends", "wasm,cpu,webgl").split(",");
const models = arg("--models", "four,six").split(",");
const batches = Number(arg("--batches", "10"));
const mods = path.join(here, "tfjs/node_modules/@tensorflow");
if (!fs.existsSync(mods)) {
  console.error("TF.js is not installed: run (cd bench/tfjs && npm ci)");
  process.exit(2);
}
const version = JSON.parse(fs.readFileSync(path.join(mods, "tfjs/package.json"), "utf8")).version;
const dirs = ["tfjs", "tfjs-backend-wasm", "tfjs-backend-webgpu"].map((d) => path.join(mods, d, "dist"));
const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };

const server = http.createServer((req, res) => {
  const p = decodeURIComponent(new URL(req.url, "http://x").pathname);
  let file = null;
  if (p === "/" || p === "/page.html") file = path.join(here, "tfjs/page.html");
  else if (p.startsWith("/tfjs/") || p.startsWith("/tfjs-wasm/")) {
    const name = path.basename(p);
    file = dirs.map((d) => path.join(d, name)).find((f) => fs.existsSync(f));
  }
  if (!file) { res.writeHead(404); return res.end(); }
  res.writeHead(200, {
    "content-type": types[path.extname(file)] || "application/octet-stream",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-embedder-policy": "require-corp",
  });
  fs.createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const url = `http://127.0.0.1:${server.address().port}/page.html`;
const chrome = await browser({ webgpu: backends.includes("webgpu") });
const rows = [];
try {
  for (const model of models) {
    for (const backend of backends) {
      const page = await chrome.newPage();
      page.on("pageerror", (e) => console.error(`page error: ${e}`));
      page.on("console", (m) => m.type() === "error" && console.error(`console: ${m.text()}`));
      await page.goto(url);
      await page.waitForFunction(() => window.benchReady === true);
      // TF.js's cpu and (software) webgl backends take many seconds per batch: time fewer.
      const slow = backend === "cpu" || backend === "webgl";
      const n = slow ? Math.min(2, batches) : batches;
      try {
        const r = await page.evaluate((o) => window.runBench(o), {
          backend, model, warmup: 1, batches: n, inferChunks: slow ? 1 : 4,
        });
        rows.push({ model, peer: `TensorFlow.js ${version}`, ...r, batches: n });
        console.error(`${model} ${backend}: ${r.train_images_per_s.toFixed(1)} img/s training`);
      } catch (e) {
        rows.push({ model, peer: `TensorFlow.js ${version}`, backend, error: String(e).split("\n")[0] });
        console.error(`${model} ${backend}: ${String(e).split("\n")[0]}`);
      }
      await page.close();
    }
  }
} finally {
  await chrome.close();
  server.close();
}
const cpu = fs.readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/)?.[1] ?? os.cpus()[0]?.model;
console.log(`TensorFlow.js ${version} in headless Chromium on ${cpu}, ${os.cpus().length} cores; batch 32, random data.\n`);
console.log("| model | TF.js backend | training images/s | ms per batch | inference images/s |");
console.log("| --- | --- | ---: | ---: | ---: |");
for (const r of rows) {
  if (r.error) console.log(`| ${r.model} | ${r.backend} | failed: ${r.error} | | |`);
  else console.log(`| ${r.model} | ${r.backend}${r.threads ? ` (${r.threads} threads)` : ""} | ${r.train_images_per_s.toFixed(1)} | ${r.ms_per_batch.toFixed(0)} | ${r.infer_images_per_s.toFixed(0)} |`);
}
fs.mkdirSync(path.join(here, "results"), { recursive: true });
fs.writeFileSync(path.join(here, "results/tfjs.json"), JSON.stringify({ machine: cpu, cores: os.cpus().length, rows }, null, 2));
