// The course in all three engines a class uses: Chromium, Firefox and WebKit (Safari's
// engine), each driven by its own protocol (engines.mjs) through the same scenarios
// (scenarios.mjs): the trainer on real images, the walk through the nine steps, and a
// full load that downloads every file once.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { serve, served } from "./harness.mjs";
import { ENGINES, available, launch } from "./engines.mjs";
import { trainerScenario, walkScenario, until } from "./scenarios.mjs";

const wanted = (process.env.CNNLAB_ENGINES || ENGINES.join(",")).split(",");

for (const engine of ENGINES.filter((e) => wanted.includes(e))) {
  describe(engine, () => {
    let site, browser;
    const missing = !available(engine);
    before(async () => {
      if (missing) {
        // The setup scripts install all three; CI must run every one.
        assert.ok(!process.env.CI, `CI must run the ${engine} tests, but its browser is not installed`);
        return;
      }
      site = await serve();
      browser = await launch(engine);
    });
    after(async () => { await browser?.close(); site?.close(); });
    // Each test has a page of its own, closed whatever happens (WebKitWebDriver keeps one
    // session at a time).
    const run = (name, body) => test(name, { skip: missing && `no ${engine} here` }, async () => {
      const page = await browser.newPage();
      try {
        await body(page);
      } finally {
        await page.close().catch(() => {});
      }
    });

    run(`a full load downloads every file once`, async (page) => {
      await page.goto(site.url + "#/lesson/5");
      // The trainer compiled and the offline copy set up (complete where the browser has an
      // HTTP cache to take the page's files from; an ephemeral profile has none).
      await until(page, "the offline copy", () => ["ready", "unavailable"].includes(document.querySelector("#offline-status")?.dataset.offline), [], 120_000);
      const twice = [...site.downloads].filter(([, n]) => n > 1);
      assert.deepEqual(twice, [], `downloaded more than once: ${JSON.stringify(twice)}`);
      const files = [...site.downloads.keys()];
      assert.ok(files.some((f) => /^cnnlab-app-.*_bg\.wasm$/.test(f)), `the page's wasm: ${files}`);
      assert.ok(files.some((f) => /^cnnlab-trainer-.*_bg\.wasm$/.test(f)), `the trainer's wasm: ${files}`);
    });

    run(`the trainer (${served ? "CIFAR-10" : "demo set"}, 4-layer, 1,000 images, one epoch)`, (page) =>
      trainerScenario(page, site.url, served));

    run(`a walk through all nine steps`, (page) => walkScenario(page, site.url, served));
  });
}
