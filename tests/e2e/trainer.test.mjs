// The trainer page in headless Chromium: the architecture tables, the offline demo set,
// a CPU run in the worker with pause/resume/stop, a bad file, a reload, no foreign requests.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, browser, open, setNumber } from "./harness.mjs";

let site, chrome;
before(async () => { site = await serve(); chrome = await browser(); });
after(async () => { await chrome?.close(); site?.close(); });

test("architecture tables come from the model description", async () => {
  const context = await chrome.newContext();
  const { page } = await open(context, site.url);
  await page.locator("#model").selectOption("six");
  await page.getByText("Architecture of the 6-layer CNN").click();
  await page.getByText("6-layer CNN: 2,395,434 weights").waitFor();
  // The open table follows the model picker.
  await page.locator("#model").selectOption("four");
  await page.getByText("4-layer CNN: 1,250,858 weights").waitFor();
  // The 4-layer's first conv row: 3·3·3·32 + 32 = 896 weights.
  const firstConv = page.locator("table.arch tbody tr").nth(1);
  assert.match(await firstConv.innerText(), /Conv2D\s+\(32, 32, 32\)\s+896\s+0\.1%/);
  await context.close();
});

test("a CPU run on the demo set trains, pauses, resumes, stops and survives a reload", async () => {
  const context = await chrome.newContext();
  const { page, foreign, errors } = await open(context, site.url);
  await page.getByRole("button", { name: "Use the offline demo set" }).click();
  await page.getByText("NOT CIFAR-10").first().waitFor();

  await page.locator("#model").selectOption("four");
  await setNumber(page, "train-size", 320);
  await setNumber(page, "val-size", 100);
  await setNumber(page, "epochs", 2);
  await page.locator("#backend").selectOption("flex");
  await page.getByRole("button", { name: "Train", exact: true }).click();
  await page.getByText("On CPU (Flex).").waitFor({ timeout: 60_000 });

  // Two epochs: the history table gets two rows, the confusion matrix and strip appear.
  await page.locator("table.history tbody tr").nth(1).waitFor({ timeout: 240_000 });
  await page.getByText("Finished: every epoch trained.").waitFor({ timeout: 60_000 });
  assert.equal(await page.locator("table.confusion tbody tr").count(), 10);
  assert.match(await page.locator(".confusion-wrap").innerText(), /on 100 images/);
  assert.equal(await page.locator("ul.strip li").count(), 20);
  const status = await page.locator("p.status").innerText();
  assert.match(status, /ms per batch · \d+ images\/s/);

  // A longer run: pause holds it still, resume moves it on, stop keeps the model.
  await setNumber(page, "epochs", 50);
  await page.getByRole("button", { name: "Train", exact: true }).click();
  await page.locator("table.history tbody tr").first().waitFor({ timeout: 120_000 });
  await page.getByRole("button", { name: "Pause" }).click();
  await page.getByText("Paused.").waitFor({ timeout: 30_000 });
  const held = await page.locator(".progress-text").last().innerText();
  await page.waitForTimeout(2_000);
  assert.equal(await page.locator(".progress-text").last().innerText(), held, "paused runs do not move");
  await page.getByRole("button", { name: "Resume" }).click();
  await page.waitForFunction(
    (before) => document.querySelectorAll(".progress-text")[document.querySelectorAll(".progress-text").length - 1]?.textContent !== before,
    held, { timeout: 30_000 });
  await page.getByRole("button", { name: "Stop" }).click();
  await page.getByText("Stopped. The model trained so far is kept.").waitFor({ timeout: 30_000 });

  // Settings and the data choice survive a reload.
  await page.reload();
  await page.getByText("NOT CIFAR-10").first().waitFor();
  assert.equal(await page.locator("#epochs").inputValue(), "50");
  assert.equal(await page.locator("#train-size").inputValue(), "320");
  assert.equal(await page.locator("#backend").inputValue(), "flex");

  assert.deepEqual(foreign, [], "no request leaves the site's origin");
  assert.deepEqual(errors, [], "no uncaught errors");
  await context.close();
});

test("a bad file gets a clear message and the loaded images stay", async () => {
  const context = await chrome.newContext();
  const { page } = await open(context, site.url);
  await page.getByRole("button", { name: "Use the offline demo set" }).click();
  await page.getByText("NOT CIFAR-10").first().waitFor();
  await page.locator("input[type=file]").setInputFiles({
    name: "cifar-10-binary.tar.gz", mimeType: "application/gzip", buffer: Buffer.from("this is not gzip"),
  });
  const alert = page.locator("section[aria-labelledby=data-h] [role=alert]");
  await alert.waitFor();
  assert.match(await alert.innerText(), /cifar-10-binary\.tar\.gz.*gzip/i);
  assert.match(await alert.innerText(), /still in use/);
  await page.locator("input[type=file]").setInputFiles({
    name: "data_batch_1.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(3073 * 2 + 5),
  });
  await page.getByText(/data_batch_1\.bin.*(truncated|3,?073)/i).waitFor();
  await page.getByText("NOT CIFAR-10").first().waitFor();
  await context.close();
});

test("a diverging run stops with an explanation, and the page stays usable", async () => {
  const context = await chrome.newContext();
  const { page } = await open(context, site.url);
  await page.getByRole("button", { name: "Use the offline demo set" }).click();
  await page.locator("#model").selectOption("four");
  await setNumber(page, "train-size", 640);
  await setNumber(page, "val-size", 100);
  await setNumber(page, "epochs", 1);
  await setNumber(page, "lr", 5000);
  await page.locator("#backend").selectOption("flex");
  await page.getByRole("button", { name: "Train", exact: true }).click();
  const alert = page.locator("section[aria-labelledby=run-h] [role=alert]");
  await alert.waitFor({ timeout: 120_000 });
  assert.match(await alert.innerText(), /diverged/);
  assert.match(await alert.innerText(), /Lower the learning rate/);
  // The settings are editable again and a new run can start.
  await setNumber(page, "lr", 0.01);
  assert.equal(await page.getByRole("button", { name: "Train", exact: true }).isEnabled(), true);
  await context.close();
});
