// Every step of the course, and the runs page, at a phone's, a tablet's and a laptop's
// width, after a short run (so steps 6 to 9 show a model), as PNG files to look at:
// bench/results/screens/<width>-<page>.png (full-page, headless Chromium).
//
//   scripts/setup-web --e2e && trunk build --release
//   node bench/screenshots.mjs [--widths 390,768,1440]
import fs from "node:fs";
import path from "node:path";

const here = path.dirname(new URL(import.meta.url).pathname);
const { serve, browser, open, setNumber, root } = await import(path.join(here, "../tests/e2e/harness.mjs"));
const args = process.argv.slice(2);
const widths = (args.includes("--widths") ? args[args.indexOf("--widths") + 1] : "390,768,1440").split(",").map(Number);
const out = path.join(root, "bench/results/screens");
fs.mkdirSync(out, { recursive: true });

const site = await serve();
const chrome = await browser();
try {
  const context = await chrome.newContext({ viewport: { width: widths[0], height: 900 } });
  const { page } = await open(context, site.url + "#/lesson/5");
  await page.getByRole("button", { name: "Use the offline demo set" }).click();
  await page.getByText("NOT CIFAR-10").first().waitFor();
  await page.locator("#model").selectOption("four");
  await setNumber(page, "train-size", 640);
  await setNumber(page, "val-size", 200);
  await setNumber(page, "epochs", 3);
  await page.locator("#backend").selectOption("flex");
  await page.getByRole("button", { name: "Train", exact: true }).click();
  await page.getByText("Finished: every epoch trained.").waitFor({ timeout: 600_000 });
  const pages = [["home", "#/"], ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => [`step-${n}`, `#/lesson/${n}`]), ["runs", "#/runs"]];
  for (const width of widths) {
    await page.setViewportSize({ width, height: 900 });
    for (const [name, hash] of pages) {
      // The address's step only: the page is not reloaded, so the trainer shows its run.
      await page.evaluate((h) => { location.hash = h; }, hash);
      await page.locator("main").waitFor();
      await page.waitForTimeout(name.startsWith("step-") && Number(name.slice(5)) >= 6 ? 1_500 : 400);
      const file = path.join(out, `${width}-${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      // Nothing wider than the screen: what does not fit scrolls in its own box.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      console.log(`${file}${overflow > 0 ? `  (page ${overflow}px wider than the screen)` : ""}`);
    }
  }
  await context.close();
} finally {
  await chrome.close();
  site.close();
}
