// The course at a phone's, a tablet's and a laptop's width, after a short run (so every
// step shows what it computes): at 390 and 768 px nothing is wider than the screen (a
// table too wide scrolls in its own box), and at 1440 px the trainer's curves sit beside
// its confusion matrix rather than above it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, browser, open, setNumber } from "./harness.mjs";

let site, chrome;
before(async () => { site = await serve(); chrome = await browser(); });
after(async () => { await chrome?.close(); site?.close(); });

const PAGES = ["", ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `#/lesson/${n}`), "#/runs"];

test("every step fits a phone's and a tablet's width, and a wide screen is used", async () => {
  const context = await chrome.newContext({ viewport: { width: 1440, height: 900 } });
  const { page } = await open(context, site.url + "#/lesson/5");
  await page.getByRole("button", { name: "Use the offline demo set" }).click();
  await page.getByText("NOT CIFAR-10").first().waitFor();
  await page.locator("#model").selectOption("four");
  await setNumber(page, "train-size", 320);
  await setNumber(page, "val-size", 100);
  await setNumber(page, "epochs", 2);
  await page.locator("#backend").selectOption("flex");
  await page.getByRole("button", { name: "Train", exact: true }).click();
  await page.getByText("Finished: every epoch trained.").waitFor({ timeout: 300_000 });

  // Wide: the accuracy chart and the matrix share a row.
  const chart = await page.locator("figure.chart", { hasText: "Accuracy per epoch" }).boundingBox();
  const matrix = await page.locator(".confusion-wrap").first().boundingBox();
  assert.ok(matrix.x > chart.x + chart.width - 1, `the matrix beside the charts (chart ${JSON.stringify(chart)}, matrix ${JSON.stringify(matrix)})`);
  assert.ok(matrix.y < chart.y + chart.height, "on the same row");

  const overflowing = [];
  for (const width of [390, 768]) {
    await page.setViewportSize({ width, height: 800 });
    for (const hash of PAGES) {
      await page.goto(site.url + hash);
      await page.locator("main").waitFor();
      await page.waitForTimeout(300);
      const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      if (over > 0) overflowing.push(`${width}px ${hash || "home"}: ${over}px wider than the screen`);
    }
  }
  assert.deepEqual(overflowing, []);
  await context.close();
});
