// Where a training step's time goes inside the training worker's wasm, in headless
// Chromium: a DevTools CPU profile of the worker (CDP over puppeteer-core, which reaches
// workers) during a run on the demo set, one CPU thread, Flex. Prints the share of the
// worker's busy time under each part of the step (inclusive: a gemm called from the
// forward convolution counts under both "convolution, forward" and "matrix kernels") and
// the top functions by self time.
//
//   CNNLAB_WASM_NAMES=1 trunk build --release    # keeps the Rust function names
//   node bench/wasm-profile.mjs [six|four] [--seconds 15]
// Writes bench/results/wasm-profile-<model>.json and the .cpuprofile beside it (open it in
// DevTools' Performance panel).
import fs from "node:fs";
import path from "node:path";

const here = path.dirname(new URL(import.meta.url).pathname);
const { serve, root } = await import(path.resolve(here, "../tests/e2e/harness.mjs"));
const { default: puppeteer } = await import(
  path.resolve(here, "../tests/e2e/node_modules/puppeteer-core/lib/esm/puppeteer/puppeteer-core.js")
);

const args = process.argv.slice(2);
const model = args.find((a) => a === "six" || a === "four") ?? "six";
const seconds = args.includes("--seconds") ? Number(args[args.indexOf("--seconds") + 1]) : 15;

/** The parts of a step, by the Rust paths in the function names (first match wins for a
 * frame; a sample counts once under each part on its stack). */
const PARTS = [
  // The passes by their module function or, where wasm inlined that, by the FastConv method.
  ["convolution, forward", /lab::conv::flex::forward|FastConv>::fast_conv::/],
  ["convolution, input gradient", /lab::conv::flex::backward_input|fast_conv_x_backward/],
  ["convolution, weight gradient", /lab::conv::flex::backward_weight|fast_conv_weight_backward/],
  ["convolution, bias gradient", /lab::conv::flex::backward_bias|fast_conv_bias_backward/],
  ["  of which column matrices (im2col, col2im)", /lab::conv::cols::/],
  ["matrix kernels (gemm, any caller)", /gemm_f32|gemm_common/],
  ["dense layers (burn Flex matmul)", /burn_flex::ops::matmul/],
  ["max pooling", /max_pool/],
  ["dropout masks", /lab::dropout/],
  ["optimizer update (SGD, max-norm)", /lab::optim/],
  ["loss and softmax", /cross_entropy|log_softmax|softmax/],
  ["memory (malloc, memset, memcpy)", /dlmalloc|memset|memcpy|memmove/],
];

const site = await serve();
const chrome = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
});
let result;
try {
  const page = await chrome.newPage();
  let worker = null;
  page.on("workercreated", async (w) => {
    // The training worker is the first worker that runs the trainer; helpers come later.
    if (worker || !w.url().includes("worker")) return;
    worker = w;
    await w.client.send("Profiler.enable");
    await w.client.send("Profiler.setSamplingInterval", { interval: 500 });
  });
  await page.goto(site.url + "#/lesson/5");
  const click = (name) =>
    page.evaluate((n) => {
      const b = [...document.querySelectorAll("button")].find((b) => b.textContent.trim() === n);
      if (!b) throw new Error(`no button "${n}"`);
      b.click();
    }, name);
  const set = (selector, value) =>
    page.evaluate((s, v) => {
      const e = document.querySelector(s);
      if (!e) throw new Error(`no ${s}`);
      e.value = v;
      e.dispatchEvent(new Event("input", { bubbles: true }));
      e.dispatchEvent(new Event("change", { bubbles: true }));
    }, selector, String(value));
  await page.waitForFunction(() => [...document.querySelectorAll("button")].some((b) => b.textContent.trim() === "Use the offline demo set"));
  await click("Use the offline demo set");
  await page.waitForFunction(() => document.querySelector("#model"));
  await set("#model", model);
  await set("#train-size", 32 * 200);
  await set("#val-size", 10);
  await set("#epochs", 1);
  await set("#backend", "flex");
  await set("#threads", "1");
  await click("Train");
  // Profile once the run is under way (the status shows its speed).
  await page.waitForFunction(() => /ms per batch/.test(document.body.innerText), { timeout: 120_000 });
  if (!worker) throw new Error("no training worker seen");
  await worker.client.send("Profiler.start");
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const { profile } = await worker.client.send("Profiler.stop");
  const status = await page.evaluate(() => document.querySelector("p.status")?.innerText ?? "");

  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (id) => nodes.get(id).callFrame.functionName || "(anonymous)";
  const inclusive = new Map(PARTS.map(([part]) => [part, 0]));
  const self = new Map();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i + 1] ?? 0;
    const own = name(id);
    if (own === "(idle)" || own === "(program)" || own === "(garbage collector)") return;
    busy += us;
    self.set(own, (self.get(own) ?? 0) + us);
    const seen = new Set();
    for (let n = id; n !== undefined; n = parent.get(n)) {
      const f = name(n);
      for (const [part, re] of PARTS) if (re.test(f)) seen.add(part);
    }
    for (const part of seen) inclusive.set(part, inclusive.get(part) + us);
  });
  const share = (us) => (busy ? us / busy : 0);
  result = {
    model, seconds, status, busy_ms: busy / 1000,
    parts: PARTS.map(([part]) => ({ part, share: share(inclusive.get(part)) })),
    top_self: [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([f, us]) => ({ function: f, share: share(us) })),
  };
  fs.mkdirSync(path.join(root, "bench/results"), { recursive: true });
  fs.writeFileSync(path.join(root, `bench/results/wasm-profile-${model}.cpuprofile`), JSON.stringify(profile));
  fs.writeFileSync(path.join(root, `bench/results/wasm-profile-${model}.json`), JSON.stringify(result, null, 2));
} finally {
  await chrome.close();
  site.close();
}
const pct = (v) => `${(100 * v).toFixed(1)}%`;
console.log(`${model}-layer, ${seconds} s of the training worker: ${result.busy_ms.toFixed(0)} ms busy. ${result.status}`);
console.log("| part of the step | share of the worker's busy time |\n| --- | ---: |");
for (const { part, share } of result.parts) console.log(`| ${part} | ${pct(share)} |`);
console.log("\n| function (self time) | share |\n| --- | ---: |");
for (const { function: f, share } of result.top_self) console.log(`| \`${f.slice(0, 90)}\` | ${pct(share)} |`);
