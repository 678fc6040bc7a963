// The page's main-thread time per batch event during a run, from a DevTools CPU profile of
// the page (Chromium's sampling profiler over CDP, the training worker not included): a
// 4-layer run on the demo set (1 CPU thread, Flex), every sample that is not "(idle)"
// counted as busy, divided by the batch events the worker sent. The first and the last
// epoch are given apart, so a cost that grows with the run (state cloned per event, a
// curve redrawn whole) shows.
//
//   scripts/setup-web --e2e && trunk build --release
//   node bench/main-thread.mjs [--train 3000] [--epochs 3]
// Prints one markdown row; writes bench/results/main-thread.json.
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
  // Profile timestamps and the page's performance.now() differ by a fixed offset: take
  // it from one reading at the start.
  await cdp.send("Profiler.start");
  await page.evaluate(() => {
    window.__epochEnds = [];
    new MutationObserver(() => {
      const rows = document.querySelectorAll("table.history tbody tr").length;
      while (window.__epochEnds.length < rows) window.__epochEnds.push(performance.now());
    }).observe(document.body, { childList: true, subtree: true });
  });
  const started = await page.evaluate(() => performance.now());
  await page.getByRole("button", { name: "Train", exact: true }).click();
  await page.getByText("Finished: every epoch trained.").waitFor({ timeout: 1_800_000 });
  const ended = await page.evaluate(() => performance.now());
  const ends = await page.evaluate(() => window.__epochEnds);
  const { profile } = await cdp.send("Profiler.stop");
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
  };
  await context.close();
} finally {
  await chrome.close();
  site.close();
}
console.log("| run | batch events | main thread busy | per batch event | first epoch | last epoch |");
console.log("|---|---:|---:|---:|---:|---:|");
console.log(`| 4-layer, ${train} images, ${epochs} epochs | ${result.batch_events} | ${(result.busy_ms / 1000).toFixed(2)} s of ${result.run_seconds.toFixed(0)} s | ${result.ms_per_event.toFixed(2)} ms | ${result.first_epoch_ms_per_event.toFixed(2)} ms | ${result.last_epoch_ms_per_event.toFixed(2)} ms |`);
fs.mkdirSync(path.join(root, "bench/results"), { recursive: true });
fs.writeFileSync(path.join(root, "bench/results/main-thread.json"), JSON.stringify(result, null, 2));
