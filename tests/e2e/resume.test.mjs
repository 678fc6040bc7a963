// A run in progress survives a reload: the page keeps a checkpoint after every epoch (and
// every minute of training) in IndexedDB, offers to resume it when the page opens again,
// and the resumed run ends with its whole history, as one run. Once it ends, the
// checkpoint is gone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, browser, open, setNumber, served, loadData } from "./harness.mjs";

let site, chrome;
before(async () => { site = await serve(); chrome = await browser(); });
after(async () => { await chrome?.close(); site?.close(); });

test(`a run reloaded after its first epoch resumes and ends with every epoch (${served ? "CIFAR-10" : "demo set"})`, async () => {
  const context = await chrome.newContext();
  const { page, errors } = await open(context, site.url + "#/lesson/5");
  await loadData(page);
  await page.locator("#model").selectOption("four");
  await setNumber(page, "train-size", 1000);
  await setNumber(page, "val-size", 500);
  await setNumber(page, "epochs", 3);
  await page.locator("#backend").selectOption("flex");
  await page.locator("#threads").selectOption("1");
  await page.getByRole("button", { name: "Train", exact: true }).click();

  // The checkpoint after epoch 1 is in the browser: reload in the middle of the run.
  await page.getByText(/Kept in this browser up to epoch 2, batch 0/).waitFor({ timeout: 300_000 });
  await page.reload();
  const offer = page.getByRole("region", { name: "A run was interrupted" });
  await offer.getByText("Resume: 4-layer CNN, epoch 2 of 3, batch 0 of 32").waitFor({ timeout: 60_000 });
  // The images come back by themselves (the data choice is remembered); then it can resume.
  const resume = offer.getByRole("button", { name: "Resume" });
  await page.waitForFunction(
    () => [...document.querySelectorAll("section.resume-offer button")].some((b) => b.textContent === "Resume" && !b.disabled),
    null, { timeout: 120_000 });
  // The runs page says what the checkpoint takes.
  await page.goto(site.url + "#/runs");
  assert.match(await page.locator("#checkpoint-size").innerText(), /checkpoint takes \d+\.\d MB/);
  await page.goto(site.url + "#/lesson/5");
  await resume.click();
  await page.getByText(/Resumed from the checkpoint of/).waitFor({ timeout: 60_000 });
  await page.getByText("Finished: every epoch trained.").waitFor({ timeout: 600_000 });

  // One run, three epochs: the first came back from the checkpoint's history.
  await page.goto(site.url + "#/runs");
  await page.getByText("4-layer CNN, 3 epochs on 1,000 images").first().waitFor({ timeout: 30_000 });
  assert.equal(await page.getByText("4-layer CNN, 1 epoch on 1,000 images").count(), 0);
  const rows = page.locator("#run-list tbody tr");
  assert.equal(await rows.count(), 1, "saved as one run");

  // The finished run's checkpoint is cleaned up: nothing is offered after another reload.
  await page.reload();
  await page.getByRole("heading", { name: "Your runs" }).waitFor();
  await page.waitForTimeout(1500);
  assert.equal(await page.getByRole("region", { name: "A run was interrupted" }).count(), 0);
  assert.equal(await page.locator("#checkpoint-size").count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a run can be discarded instead, and the offer does not come back", async () => {
  const context = await chrome.newContext();
  const { page, errors } = await open(context, site.url + "#/lesson/5");
  await loadData(page);
  await page.locator("#model").selectOption("four");
  await setNumber(page, "train-size", 1000);
  await setNumber(page, "val-size", 500);
  await setNumber(page, "epochs", 2);
  await page.locator("#backend").selectOption("flex");
  await page.locator("#threads").selectOption("1");
  await page.getByRole("button", { name: "Train", exact: true }).click();
  await page.getByText(/Kept in this browser up to epoch 2, batch 0/).waitFor({ timeout: 300_000 });
  await page.goto(site.url + "#/lesson/1");
  await page.reload();
  // Offered on any page, not only the trainer.
  const offer = page.getByRole("region", { name: "A run was interrupted" });
  await offer.waitFor({ timeout: 60_000 });
  await offer.getByRole("button", { name: "Discard" }).click();
  // The offer goes once the checkpoint is deleted, so a reload cannot bring it back.
  await offer.waitFor({ state: "detached", timeout: 10_000 });
  await page.reload();
  await page.getByRole("heading", { name: "CIFAR-10 CNN Lab" }).waitFor();
  await page.waitForTimeout(1500);
  assert.equal(await page.getByRole("region", { name: "A run was interrupted" }).count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});
