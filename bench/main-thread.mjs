// The page's main-thread time per batch event during a run, from a DevTools CPU profile of
// the page (Chromium's sampling profiler over CDP, the training worker not included): a
// 4-layer run on the demo set (1 CPU thread, Flex), every sample that is not "(idle)"
// counted as busy, divided by the batch events the worker sent. The first and the last
// epoch are given apart, so a cost that grows with the run (state cloned per event, a
// curve redrawn whole) shows. Beside it, Chromium's own accounting of the page's main
// thread (CDP Performance metrics): all tasks, and their script, style and layout parts,
// per batch event.
//
//   scripts/setup-web --e2e && trunk build --release
//   node bench/main-thread.mjs [--train 3000] [--epochs 3]
// Prints one markdown row; writes bench/results/main-thread.json and the profile
// (main-thread.cpuprofile: open it in DevTools' Performance panel; a build made with
// CNNLAB_WASM_NAMES=1 keeps the Rust function names in it).
import fs from "node:fs";
import path from "node:path";

const harnessPath = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../tests/e2e/harness.mjs");
const { serve, browser, open, setNumber, root } = await import(harnessPath);

const args = process.argv.slice(2);
const arg = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const train = arg("--train", 3000);
const epochs = arg("--epochs", 3);
const batchesPerEpoch = Math.ceil(train / 32);

/** Busy milliseconds of a CPU profile between two profile timestamps (µs). */
function busy(profile, from = -Infinity, to = Infinity) {
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === "(idle)").map((n) => n.id));
  let t = profile.startTime;
  let ms = 0;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i];
    const next = profile.timeDeltas[i + 1] ?? 0;
    if (!idle.has(id) && t >= from && t < to) ms += next / 1000;
  });
  return ms;
}

const site = await serve();
const chrome = await browser();
let result;
try {
  const context = await chrome.newContext();
  const { page } = await open(context, site.url + "#/lesson/5");
  await page.getByRole("button", { name: "Use the offline demo set" }).click();
  await page.locator("#model").selectOption("four");
  await setNumber(page, "train-size", train);
  await setNumber(page, "val-size", 200);
  await setNumber(page, "epochs", epochs);
  await page.locator("#backend").selectOption("flex");
  await page.locator("#threads").selectOption("1");
  const cdp = await context.newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
  await cdp.send("Performance.enable");
  const metrics = async () =>
    Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]));
  const before = await metrics();
  await cdp.send("Profiler.start");
  // Watched from here with one cheap query every half second: the page is not asked to
  // poll the DOM itself (playwright's text waits would, and would count as its work).
  const started = await page.evaluate(() => performance.now());
  await page.getByRole("button", { name: "Train", exact: true }).click();
  const ends = [];
  let ended = null;
  const deadline = Date.now() + 1_800_000;
  while (ended === null && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    const [rows, status, now] = await page.evaluate(() => [
      document.querySelectorAll("table.history tbody tr").length,
      document.querySelector("p.status")?.textContent ?? "",
      performance.now(),
    ]);
    while (ends.length < rows) ends.push(now);
    if (status.includes("Finished")) ended = now;
  }
  if (ended === null) throw new Error("the run did not finish in 30 minutes");
  const { profile } = await cdp.send("Profiler.stop");
  const after = await metrics();
  // Chromium's own accounting of the page's main thread (seconds): all tasks, and the
  // script, style and layout parts of them.
  const spent = (name) => (after[name] - before[name]) * 1000;
  fs.mkdirSync(path.join(root, "bench/results"), { recursive: true });
  fs.writeFileSync(path.join(root, "bench/results/main-thread.cpuprofile"), JSON.stringify(profile));
  // Map page time (ms) to profile time (µs): the profile spans [startTime, endTime].
  const span = (profile.endTime - profile.startTime) / 1000;
  const offset = profile.startTime / 1000 - (ended - span);
  const at = (ms) => (ms + offset) * 1000;
  const total = busy(profile, at(started), at(ended));
  const first = busy(profile, at(started), at(ends[0]));
  const last = busy(profile, at(ends[epochs - 2] ?? started), at(ends[epochs - 1]));
  const events = epochs * batchesPerEpoch;
  result = {
    model: "four", train_images: train, epochs, batch_events: events,
    busy_ms: total, ms_per_event: total / events,
    first_epoch_ms_per_event: first / batchesPerEpoch, last_epoch_ms_per_event: last / batchesPerEpoch,
    run_seconds: (ended - started) / 1000,
    task_ms_per_event: spent("TaskDuration") / events,
    script_ms_per_event: spent("ScriptDuration") / events,
    style_ms_per_event: spent("RecalcStyleDuration") / events,
    layout_ms_per_event: spent("LayoutDuration") / events,
  };
  await context.close();
} finally {
  await chrome.close();
  site.close();
}
const ms = (v) => `${v.toFixed(2)} ms`;
console.log("| run | batch events | busy (profile) | per batch event | first epoch | last epoch | tasks | script | style | layout |");
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
console.log(`| 4-layer, ${train} images, ${epochs} epochs | ${result.batch_events} | ${(result.busy_ms / 1000).toFixed(2)} s of ${result.run_seconds.toFixed(0)} s | ${ms(result.ms_per_event)} | ${ms(result.first_epoch_ms_per_event)} | ${ms(result.last_epoch_ms_per_event)} | ${ms(result.task_ms_per_event)} | ${ms(result.script_ms_per_event)} | ${ms(result.style_ms_per_event)} | ${ms(result.layout_ms_per_event)} |`);
fs.writeFileSync(path.join(root, "bench/results/main-thread.json"), JSON.stringify(result, null, 2));
