// When the browser's storage fails (IndexedDB unavailable, as in some private windows, or
// its quota full), the page says so in one line and everything else goes on: training
// finishes, the lessons work, and what was kept before stays.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, browser, open, setNumber, served, loadData } from "./harness.mjs";

let site, chrome;
before(async () => { site = await serve(); chrome = await browser(); });
after(async () => { await chrome?.close(); site?.close(); });

async function train(page, epochs) {
  await loadData(page);
  await page.locator("#model").selectOption("four");
  await setNumber(page, "train-size", 500);
  await setNumber(page, "val-size", 200);
  await setNumber(page, "epochs", epochs);
  await page.locator("#backend").selectOption("flex");
  await page.locator("#threads").selectOption("1");
  await page.getByRole("button", { name: "Train", exact: true }).click();
  await page.getByText("Finished: every epoch trained.").waitFor({ timeout: 300_000 });
}

test(`without IndexedDB a run still trains and the page says, in one line, what is not kept (${served ? "CIFAR-10" : "demo set"})`, async () => {
  const context = await chrome.newContext();
  await context.addInitScript(() => {
    IDBFactory.prototype.open = function () {
      throw new DOMException("The user denied permission to access the database.", "SecurityError");
    };
  });
  const { page, errors } = await open(context, site.url + "#/lesson/5");
  await train(page, 2);
  const line = page.locator("#storage-error");
  await line.waitFor();
  assert.equal(await line.count(), 1);
  assert.match(await line.innerText(), /IndexedDB/);
  // The trained model is still there for the lessons that look inside it.
  await page.goto(site.url + "#/lesson/6");
  await page.getByRole("heading", { level: 2 }).first().waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test("with the storage quota full, a new run trains and the runs kept before stay", async () => {
  const context = await chrome.newContext();
  // A quota the test can lower: a write larger than it aborts its transaction, as a full
  // quota does (the request fails asynchronously; nothing of it is written). Chromium's
  // own quota override (CDP Storage.overrideQuotaForOrigin) is not enforced for the
  // in-memory storage of a headless browser context, so the harness sets the limit here.
  await context.addInitScript(() => {
    window.__quotaBytes = Infinity;
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (value, key) {
      const size = value instanceof Uint8Array ? value.byteLength
        : value && value.checkpoint instanceof Uint8Array ? value.checkpoint.byteLength
        : String(value).length;
      const request = put.call(this, value, key);
      if (size > window.__quotaBytes) this.transaction.abort();
      return request;
    };
  });
  const { page, errors } = await open(context, site.url + "#/lesson/5");
  await train(page, 1);
  await page.goto(site.url + "#/runs");
  await page.getByText("4-layer CNN, 1 epoch on 500 images").first().waitFor({ timeout: 30_000 });

  await page.evaluate(() => { window.__quotaBytes = 1024; });
  await page.goto(site.url + "#/lesson/5");
  await page.locator("#epochs").waitFor();
  await setNumber(page, "epochs", 2);
  await page.getByRole("button", { name: "Train", exact: true }).click();
  await page.getByText("Finished: every epoch trained.").waitFor({ timeout: 300_000 });
  const line = page.locator("#storage-error");
  await line.waitFor({ timeout: 30_000 });
  assert.match(await line.innerText(), /could not/);
  assert.equal(await line.count(), 1, "one line");

  // After a reload the run kept before is still there; the new one could not be kept.
  await page.reload();
  await page.goto(site.url + "#/runs");
  await page.getByText("4-layer CNN, 1 epoch on 500 images").first().waitFor({ timeout: 30_000 });
  assert.equal(await page.getByText("4-layer CNN, 2 epochs on 500 images").count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});
