// Accessibility, checked by axe-core on every step of the course and the runs page, before
// a run and after one (when steps 6 to 9 show the learner's model), in the light and the dark
// colour scheme: no serious or critical violation, colour contrast included. The page's own Content-Security-Policy is bypassed
// only so that axe's script can be added to it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { serve, browser, open, setNumber } from "./harness.mjs";

const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
let site, chrome;
before(async () => { site = await serve(); chrome = await browser(); });
after(async () => { await chrome?.close(); site?.close(); });

const STEPS = [1, 2, 3, 4, 5, 6, 7, 8, 9];

/** The serious and critical violations on the page as it is now, one line each. */
async function violations(page) {
  if (!(await page.evaluate(() => !!window.axe))) await page.addScriptTag({ path: axePath });
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
  });
  return found;
}

async function everyStep(page, when) {
  const all = [];
  for (const step of STEPS) {
    await page.goto(site.url + `#/lesson/${step}`);
    await page.locator("#lesson-h").waitFor();
    // Let what the step computes arrive (the maps and answers of steps 6 to 9).
    await page.waitForTimeout(step >= 6 ? 1_500 : 300);
    for (const v of await violations(page)) all.push(`step ${step}, ${when}: ${v}`);
  }
  await page.goto(site.url + "#/runs");
  await page.locator("h1, h2").first().waitFor();
  for (const v of await violations(page)) all.push(`runs page, ${when}: ${v}`);
  return all;
}

test("every step has no serious or critical accessibility violation, before and after a run", async () => {
  const context = await chrome.newContext({ bypassCSP: true });
  const { page } = await open(context, site.url);
  const found = await everyStep(page, "before a run");

  await page.goto(site.url + "#/lesson/5");
  await page.getByRole("button", { name: "Use the offline demo set" }).click();
  await page.getByText("NOT CIFAR-10").first().waitFor();
  await page.locator("#model").selectOption("four");
  await setNumber(page, "train-size", 320);
  await setNumber(page, "val-size", 200);
  await setNumber(page, "epochs", 2);
  await page.locator("#backend").selectOption("flex");
  await page.getByRole("button", { name: "Train", exact: true }).click();
  await page.getByText("Finished: every epoch trained.").waitFor({ timeout: 300_000 });
  for (const v of await violations(page)) found.push(`step 5, a run just finished: ${v}`);
  found.push(...(await everyStep(page, "after a run")));
  // The dark colour scheme has its own colours: every step again, in it.
  await page.emulateMedia({ colorScheme: "dark" });
  found.push(...(await everyStep(page, "after a run, dark scheme")));

  assert.deepEqual(found, [], found.join("\n"));
  await context.close();
});
