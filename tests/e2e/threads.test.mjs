// Training on several CPU threads in the tab (helper Web Workers started by the training
// worker, each computing a slice of every batch), and the one-thread fallback where a
// browser cannot start workers inside a worker. The site is served as any static host
// serves it: no cross-origin isolation headers (the design needs none).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, browser, open, setNumber, served, loadData } from "./harness.mjs";

let site, chrome;
before(async () => { site = await serve(); chrome = await browser(); });
after(async () => { await chrome?.close(); site?.close(); });

/** The sum of the confusion matrix's cells. */
async function matrixSum(page) {
  const rows = page.locator("table.confusion tbody tr");
  assert.equal(await rows.count(), 10);
  let sum = 0;
  for (let r = 0; r < 10; r++) {
    for (const t of await rows.nth(r).locator("td.cell").allInnerTexts()) sum += Number(t);
  }
  return sum;
}

async function setUpRun(page, threads) {
  await page.locator("#model").selectOption("four");
  await setNumber(page, "train-size", 1000);
  await setNumber(page, "val-size", 500);
  await setNumber(page, "epochs", 1);
  await page.locator("#backend").selectOption("flex");
  await page.locator("#threads").selectOption(String(threads));
}

test(`a 2-thread run (${served ? "CIFAR-10" : "demo set"}, 4-layer, 1,000 images) trains, names its threads and keeps the choice`, async () => {
  const context = await chrome.newContext();
  const { page, errors } = await open(context, site.url + "#/lesson/5");
  assert.equal(await page.evaluate(() => self.crossOriginIsolated), false, "served without isolation");
  await loadData(page);
  await setUpRun(page, 2);
  assert.match(await page.locator("#threads").locator("..").innerText(), /logical core/);
  await page.getByRole("button", { name: "Train", exact: true }).click();
  await page.getByText("On CPU (Flex) · 2 threads.").waitFor({ timeout: 120_000 });
  await page.getByText("Finished: every epoch trained.").waitFor({ timeout: 600_000 });
  assert.equal(await matrixSum(page), 500);
  // Synchronising the two threads was measured, and is a fraction of a batch.
  const status = page.locator("p.status");
  const sync = Number(await status.getAttribute("data-sync-ms"));
  const perBatch = Number(/(\d+) ms per batch/.exec(await status.innerText())?.[1]);
  assert.ok(sync >= 0 && sync < perBatch, `sync ${sync} ms of ${perBatch} ms per batch`);
  assert.equal(await page.locator("p.note").count(), 0, "no fallback note");

  // The choice survives a reload; the saved run records its threads.
  await page.reload();
  await page.getByText(served ? "CIFAR-10 (served by this site)" : "NOT CIFAR-10").first().waitFor({ timeout: 120_000 });
  assert.equal(await page.locator("#threads").inputValue(), "2");
  await page.goto(site.url + "#/runs");
  await page.getByText("4-layer CNN, 1 epoch on 1,000 images").first().waitFor({ timeout: 30_000 });
  await page.getByText(/CPU \(Flex\) · 2 threads/).first().waitFor();
  // A share link does not carry it.
  await page.goto(site.url + "#/lesson/5");
  const link = await page.locator("#share-url").inputValue();
  assert.doesNotMatch(link, /thread/);
  assert.deepEqual(errors, [], "no uncaught errors");
  await context.close();
});

test("where the training worker cannot start workers, the run uses one thread and says why", async () => {
  // The service worker would answer the bootstrap from its cache, past the route.
  const context = await chrome.newContext({ serviceWorkers: "block" });
  // A browser without nested workers: the worker bootstrap runs with no Worker constructor.
  await context.route(/\/worker-[0-9a-f]{16}\.js$/, async (route) => {
    const response = await route.fetch();
    const body = "delete self.Worker; self.Worker = undefined;\n" + (await response.text());
    await route.fulfill({ response, body });
  });
  const { page, errors } = await open(context, site.url + "#/lesson/5");
  await page.getByRole("button", { name: "Use the offline demo set" }).click();
  await page.getByText("NOT CIFAR-10").first().waitFor();
  await setUpRun(page, 2);
  await setNumber(page, "train-size", 320);
  await setNumber(page, "val-size", 100);
  await page.getByRole("button", { name: "Train", exact: true }).click();
  await page.getByText("On CPU (Flex) · 1 thread.").waitFor({ timeout: 120_000 });
  const note = page.locator("p.note");
  assert.match(await note.innerText(), /^Training on one thread: this browser cannot start workers inside the training worker\.$/);
  await page.getByText("Finished: every epoch trained.").waitFor({ timeout: 300_000 });
  assert.equal(await matrixSum(page), 100);
  assert.equal(await page.locator("p.status").getAttribute("data-sync-ms"), null);
  assert.deepEqual(errors, [], "no uncaught errors");
  await context.close();
});
