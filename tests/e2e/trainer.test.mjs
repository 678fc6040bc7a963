// The trainer page in headless Chromium: the architecture tables, a CPU run in the worker
// (pause, resume, stop, reload), a bad file, divergence, and no request to another origin.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, browser, open, setNumber, served, loadData } from "./harness.mjs";

let site, chrome;
before(async () => { site = await serve(); chrome = await browser(); });
after(async () => { await chrome?.close(); site?.close(); });

test("architecture tables come from the model description", async () => {
  const context = await chrome.newContext();
  const { page } = await open(context, site.url + "#/lesson/5");
  await page.locator("#model").selectOption("six");
  await page.getByText("Architecture of the 6-layer CNN", { exact: true }).click();
  await page.getByText("Architecture of the 6-layer CNN: 2,395,434 weights").waitFor();
  // The open table follows the model picker.
  await page.locator("#model").selectOption("four");
  await page.getByText("Architecture of the 4-layer CNN: 1,250,858 weights").waitFor();
  // The 4-layer's first conv row: 3·3·3·32 + 32 = 896 weights.
  const firstConv = page.locator("table.arch tbody tr").nth(1);
  assert.match(await firstConv.innerText(), /Conv2D\s+\(32, 32, 32\)\s+896\s+0\.1%/);
  await context.close();
});


test(`a CPU run (${served ? "CIFAR-10" : "demo set"}, 4-layer, 1,000 images) trains, answers clicks, pauses, stops and survives a reload`, async () => {
  const context = await chrome.newContext();
  const { page, foreign, errors } = await open(context, site.url + "#/lesson/5");
  await loadData(page);

  await page.locator("#model").selectOption("four");
  await setNumber(page, "train-size", 1000);
  await setNumber(page, "val-size", 500);
  await setNumber(page, "epochs", 1);
  await page.locator("#backend").selectOption("flex");
  await page.getByRole("button", { name: "Train", exact: true }).click();
  await page.getByText(/On CPU \(Flex\) · \d+ threads?\./).waitFor({ timeout: 60_000 });

  // A click while training is handled: pause holds the run still, resume moves it on.
  await page.getByRole("button", { name: "Pause" }).click();
  await page.getByText("Paused.").waitFor({ timeout: 30_000 });
  const held = await page.locator(".progress-text").last().innerText();
  await page.waitForTimeout(2_000);
  assert.equal(await page.locator(".progress-text").last().innerText(), held, "a paused run does not move");
  await page.getByRole("button", { name: "Resume" }).click();
  await page.getByText("Finished: every epoch trained.").waitFor({ timeout: 300_000 });

  // Progress reached 100%, the accuracy chart has its points (training and validation),
  // the confusion matrix is 10×10 and its cells add up to the validation images.
  assert.equal(await page.locator("section[aria-labelledby=run-h] progress").getAttribute("value"), "100");
  const accuracyChart = page.locator("figure.chart", { hasText: "Accuracy per epoch" });
  assert.equal(await accuracyChart.locator("circle").count(), 2);
  assert.match(await accuracyChart.locator("svg").getAttribute("aria-label"), /validation \d+% at 1/);
  const rows = page.locator("table.confusion tbody tr");
  assert.equal(await rows.count(), 10);
  let sum = 0;
  for (let r = 0; r < 10; r++) {
    const cells = rows.nth(r).locator("td.cell");
    assert.equal(await cells.count(), 10);
    for (const t of await cells.allInnerTexts()) sum += Number(t);
  }
  assert.equal(sum, 500);
  assert.equal(await page.locator("ul.strip li").count(), 20);
  assert.match(await page.locator("p.status").innerText(), /ms per batch · \d+ images\/s/);

  // A longer run, stopped part-way through an epoch: the model as stopped is evaluated
  // and kept, with its own row in the epoch table.
  await setNumber(page, "epochs", 50);
  await page.getByRole("button", { name: "Train", exact: true }).click();
  await page.getByText(/epoch 1 of 50, batch [2-9]/).waitFor({ timeout: 60_000 });
  await page.getByRole("button", { name: "Stop" }).click();
  await page.getByText("Stopped. The model trained so far is kept.").waitFor({ timeout: 60_000 });
  await page.getByText("1 (stopped part-way)").waitFor();
  assert.match(await page.locator(".confusion-wrap").innerText(), /on 500 images/);

  // Settings and the data choice survive a reload.
  await page.reload();
  await page.getByText(served ? "CIFAR-10 (served by this site)" : "NOT CIFAR-10").first().waitFor({ timeout: 120_000 });
  assert.equal(await page.locator("#epochs").inputValue(), "50");
  assert.equal(await page.locator("#train-size").inputValue(), "1000");
  assert.equal(await page.locator("#backend").inputValue(), "flex");

  assert.deepEqual(foreign, [], "no request leaves the site's origin");
  assert.deepEqual(errors, [], "no uncaught errors");
  await context.close();
});

test("a bad file gets a clear message and the loaded images stay", async () => {
  const context = await chrome.newContext();
  const { page } = await open(context, site.url + "#/lesson/5");
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
  const { page } = await open(context, site.url + "#/lesson/5");
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

test("burn-ndarray trains in the browser too (a few batches)", async () => {
  const context = await chrome.newContext();
  const { page, errors } = await open(context, site.url + "#/lesson/5");
  await page.getByRole("button", { name: "Use the offline demo set" }).click();
  await page.locator("#model").selectOption("four");
  await setNumber(page, "train-size", 64);
  await setNumber(page, "val-size", 20);
  await setNumber(page, "epochs", 1);
  await page.locator("#backend").selectOption("ndarray");
  await page.getByRole("button", { name: "Train", exact: true }).click();
  await page.getByText(/On CPU \(ndarray\) · \d+ threads?\./).waitFor({ timeout: 60_000 });
  await page.getByText("Finished: every epoch trained.").waitFor({ timeout: 180_000 });
  assert.match(await page.locator(".confusion-wrap").innerText(), /on 20 images/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the trainer works from the keyboard alone, and controls have names", async () => {
  const context = await chrome.newContext();
  const { page } = await open(context, site.url + "#/lesson/5");
  // Every button and field has an accessible name.
  for (const name of ["Model", "Epochs", "Learning rate", "Training images", "Train on"]) {
    assert.equal(await page.getByLabel(name, { exact: true }).count(), 1, `a field named ${name}`);
  }
  // Tab to the demo-set button and press Enter; pick the 4-layer model with the arrow keys.
  const demo = page.getByRole("button", { name: "Use the offline demo set" });
  for (let i = 0; i < 60 && !(await demo.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press("Tab");
  }
  await page.keyboard.press("Enter");
  await page.getByText("NOT CIFAR-10").first().waitFor();
  await page.locator("#model").focus();
  await page.keyboard.press("ArrowUp");
  assert.equal(await page.locator("#model").inputValue(), "four");
  await page.locator("#train-size").focus();
  await page.keyboard.press("Control+A");
  await page.keyboard.type("64");
  await page.keyboard.press("Tab");
  await page.locator("#epochs").focus();
  await page.keyboard.press("Control+A");
  await page.keyboard.type("1");
  await page.keyboard.press("Tab");
  await page.locator("#backend").focus();
  await page.keyboard.press("ArrowDown"); // Automatic → WebGPU
  await page.keyboard.press("ArrowDown"); // → CPU: Flex
  assert.equal(await page.locator("#backend").inputValue(), "flex");
  await page.getByRole("button", { name: "Train", exact: true }).focus();
  await page.keyboard.press("Enter");
  await page.getByText("Finished: every epoch trained.").waitFor({ timeout: 120_000 });
  await context.close();
});
