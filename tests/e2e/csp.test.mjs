// The built page carries a strict Content-Security-Policy (scripts/csp) and the course
// works under it: every step, the runs page, loading the images and a run on two threads
// (the training worker and a helper), with no violation reported.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, browser, open, setNumber, loadData } from "./harness.mjs";

let site, chrome;
before(async () => { site = await serve(); chrome = await browser(); });
after(async () => { await chrome?.close(); site?.close(); });

test("the course works under its Content-Security-Policy, with no violation", async () => {
  const context = await chrome.newContext();
  await context.addInitScript(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      window.__violations.push(`${e.effectiveDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
  });
  const { page, errors } = await open(context, site.url);
  const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
  for (const directive of ["default-src 'self'", "script-src 'self' 'wasm-unsafe-eval' 'sha256-", "worker-src 'self'", "connect-src 'self'", "object-src 'none'"]) {
    assert.ok(policy.includes(directive), `${directive} in ${policy}`);
  }
  assert.ok(!/script-src[^;]*'unsafe-inline'/.test(policy), "no inline scripts beyond the hashed loader");

  for (let n = 1; n <= 9; n++) {
    await page.goto(site.url + `#/lesson/${n}`);
    await page.locator("main h2").first().waitFor();
  }
  await page.goto(site.url + "#/runs");
  await page.getByRole("heading", { name: "Your runs" }).waitFor();

  await page.goto(site.url + "#/lesson/5");
  await loadData(page);
  await page.locator("#model").selectOption("four");
  await setNumber(page, "train-size", 300);
  await setNumber(page, "val-size", 100);
  await setNumber(page, "epochs", 1);
  await page.locator("#backend").selectOption("flex");
  await page.locator("#threads").selectOption("2");
  await page.getByRole("button", { name: "Train", exact: true }).click();
  await page.getByText("On CPU (Flex) · 2 threads.").waitFor({ timeout: 120_000 });
  await page.getByText("Finished: every epoch trained.").waitFor({ timeout: 300_000 });
  // Steps that draw the trained model (canvases, style attributes).
  for (const n of [6, 8]) {
    await page.goto(site.url + `#/lesson/${n}`);
    await page.locator("main h2").first().waitFor();
    await page.waitForTimeout(500);
  }
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  assert.deepEqual(errors, []);
  await context.close();
});
