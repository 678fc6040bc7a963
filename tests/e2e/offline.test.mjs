// Offline after the first visit, and the dataset downloaded once: the first visit loads
// the site's CIFAR-10 (kept by the service worker because the learner loaded it), then the
// network goes away (the server stops, the browser is offline), and a reload still opens
// the course, brings the images back from the offline copy and trains. The dataset's size
// is shown, and removing it frees it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, browser, open, setNumber, served } from "./harness.mjs";

let site, chrome;
before(async () => { site = await serve(); chrome = await browser(); });
after(async () => { await chrome?.close(); site?.close(); });

test(`a second visit works with the network off (${served ? "CIFAR-10" : "demo set"})`, async () => {
  const context = await chrome.newContext();
  const { page } = await open(context, site.url + "#/lesson/5");
  const status = page.locator("#offline-status");
  await page.locator("#offline-status[data-offline=ready]").waitFor({ timeout: 120_000 });
  if (served) {
    await page.getByRole("button", { name: "Load CIFAR-10 from this site" }).click();
    await page.getByText(/CIFAR-10 \(served by this site\): 50000 training/).waitFor({ timeout: 180_000 });
    // The six files the learner loaded are kept: about 184 MB.
    await page.getByText(/CIFAR-10 kept here for offline use: 18\d\.\d MB/).waitFor({ timeout: 30_000 });
  } else {
    await page.getByRole("button", { name: "Use the offline demo set" }).click();
    await page.getByText("NOT CIFAR-10").first().waitFor();
  }
  const downloaded = new Map(site.downloads);

  // The network goes away.
  await site.stop();
  await context.setOffline(true);
  await page.reload();
  await page.getByRole("heading", { name: "CIFAR-10 CNN Lab" }).waitFor();
  await page.getByText(served ? /CIFAR-10 \(served by this site\): 50000 training/ : "NOT CIFAR-10").first().waitFor({ timeout: 180_000 });
  await page.locator("#model").selectOption("four");
  await setNumber(page, "train-size", 320);
  await setNumber(page, "val-size", 100);
  await setNumber(page, "epochs", 1);
  await page.locator("#backend").selectOption("flex");
  await page.getByRole("button", { name: "Train", exact: true }).click();
  await page.getByText("Finished: every epoch trained.").waitFor({ timeout: 300_000 });
  assert.deepEqual(new Map(site.downloads), downloaded, "nothing was downloaded while offline");
  await page.goto(site.url + "#/lesson/1");
  await page.locator("#lesson-h", { hasText: "AI, machine learning, deep learning" }).waitFor();

  if (served) {
    // The kept dataset can be removed.
    await page.goto(site.url + "#/lesson/5");
    await page.getByRole("button", { name: "Remove it" }).click();
    await status.filter({ hasNotText: "kept here" }).waitFor({ timeout: 30_000 });
    assert.equal(await page.evaluate(async () => (await caches.keys()).includes("cnnlab-data")), false);
  }
  await context.close();
});
