// Real CIFAR-10 in the page: served by the site (dist/data/, filled by scripts/get-cifar10),
// loading with a progress bar and training a 6-layer epoch on a slice of it; and the
// official archive picked as a file, unpacked in wasm. Skipped, saying so, without data.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { serve, browser, open, setNumber, dist, root } from "./harness.mjs";

const hasData = fs.existsSync(path.join(dist, "data", "test_batch.bin"));
let site, chrome;
before(async () => { if (hasData) { site = await serve(); chrome = await browser(); } });
after(async () => { await chrome?.close(); site?.close(); });

test("served CIFAR-10 loads and trains the 6-layer CNN", { skip: !hasData && "SKIPPED: no dist/data (run scripts/get-cifar10 --dest dist/data)" }, async () => {
  const context = await chrome.newContext();
  const { page, errors } = await open(context, site.url + "#/lesson/5");
  await page.getByRole("button", { name: "Load CIFAR-10 from this site" }).click();
  await page.getByText("CIFAR-10 (served by this site)").waitFor({ timeout: 120_000 });
  await page.locator("#model").selectOption("six");
  await setNumber(page, "train-size", 640);
  await setNumber(page, "val-size", 500);
  await setNumber(page, "epochs", 1);
  await page.locator("#backend").selectOption("flex");
  await page.getByRole("button", { name: "Train", exact: true }).click();
  await page.locator("table.history tbody tr").first().waitFor({ timeout: 300_000 });
  assert.match(await page.locator(".confusion-wrap").innerText(), /on 500 images/);
  // The real class names label the matrix.
  assert.match(await page.locator("table.confusion").innerText(), /airplane[\s\S]*truck/);
  await page.getByText(/50000 training and 10000 test images\./).waitFor({ timeout: 180_000 });
  assert.deepEqual(errors, []);
  await context.close();
});

const archive = process.env.CIFAR10_ARCHIVE || path.join(root, "..", "shared", "cifar10", "cifar-10-binary.tar.gz");
const hasArchive = fs.existsSync(archive);

test("the official archive, picked as a file, is unpacked in the page", { skip: !hasArchive && `SKIPPED: no ${archive}` }, async () => {
  const chromeHere = chrome || (chrome = await browser());
  const siteHere = site || (site = await serve());
  const context = await chromeHere.newContext();
  const { page, errors } = await open(context, siteHere.url + "#/lesson/5");
  await page.locator("input[type=file]").setInputFiles(archive);
  await page.getByText(/CIFAR-10 \(.*cifar-10-binary\.tar\.gz\)/).waitFor({ timeout: 180_000 });
  await page.getByText(/50000 training and 10000 test images\./).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});
