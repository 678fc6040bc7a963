// What every engine must do with the course (engines.test.mjs runs these in Chromium,
// Firefox and WebKit): the trainer on real images, and a walk through all nine steps. Written
// against the one call every driver has, `page.evaluate` (engines.mjs): clicks, typing
// and waits are done in the page as a learner's input would arrive there (DOM events), and
// every wait polls until the page shows what it should.
import assert from "node:assert/strict";

/** Poll `fn(...args)` in the page until it returns something truthy; returns that. */
export async function until(page, what, fn, args = [], timeout = 30_000) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await page.evaluate(fn, ...args);
      if (last) return last;
    } catch (e) {
      last = e; // the page is navigating
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what} (last: ${last})`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Wait until the page's text contains `text` (a string) or matches it (a RegExp source).
 * On a timeout the error quotes the page's status line and alerts, to say what it showed. */
export async function showsText(page, text, timeout = 30_000) {
  const pattern = text instanceof RegExp ? text.source : null;
  try {
    return await until(page, `"${text}"`, (t, p) => (p ? new RegExp(p).test(document.body.innerText) : document.body.innerText.includes(t)), [String(text), pattern], timeout);
  } catch (e) {
    const shown = await page
      .evaluate(() => [...document.querySelectorAll("p.status, [role=alert], .error")].map((n) => n.innerText.trim()).filter(Boolean).join(" | "))
      .catch(() => "(unreadable)");
    throw new Error(`${e.message}; the page showed: ${shown || "(no status)"}`);
  }
}

/** Click the button (or link) whose text is exactly `name`. */
export function clickButton(page, name) {
  return until(page, `a button "${name}"`, (n) => {
    const b = [...document.querySelectorAll("button, a")].find((e) => e.textContent.trim() === n && !e.disabled);
    if (!b) return false;
    b.click();
    return true;
  }, [name]);
}

/** Click the element `selector` matches. */
export function click(page, selector) {
  return until(page, selector, (s) => {
    const e = document.querySelector(s);
    if (!e) return false;
    e.click();
    return true;
  }, [selector]);
}

/** Set a field (select or input) as typing and leaving it would: input, change, blur. */
export function setField(page, selector, value) {
  return until(page, selector, (s, v) => {
    const e = document.querySelector(s);
    if (!e) return false;
    e.focus();
    e.value = v;
    e.dispatchEvent(new Event("input", { bubbles: true }));
    e.dispatchEvent(new Event("change", { bubbles: true }));
    e.blur();
    return true;
  }, [selector, String(value)]);
}

/** The text of `selector`, once it is there. */
export function text(page, selector) {
  return until(page, selector, (s) => document.querySelector(s)?.innerText ?? null, [selector]);
}

/** Sum of the confusion matrix's cells on the trainer page. */
export function matrixSum(page) {
  return page.evaluate(() => [...document.querySelectorAll("table.confusion tbody td.cell")].reduce((a, c) => a + Number(c.innerText), 0));
}

/** Load the served CIFAR-10 (waiting until it is in use), or the demo set. */
export async function loadData(page, served) {
  if (served) {
    await clickButton(page, "Load CIFAR-10 from this site");
    await showsText(page, "CIFAR-10 (served by this site)", 180_000);
  } else {
    await clickButton(page, "Use the offline demo set");
    await showsText(page, "NOT CIFAR-10");
  }
}

/** The trainer: the 4-layer CNN on 1,000 images for one epoch, on the CPU. */
export async function trainerScenario(page, url, served) {
  await page.goto(url + "#/lesson/5");
  await showsText(page, "1. Images");
  await loadData(page, served);
  await setField(page, "#model", "four");
  await setField(page, "#train-size", 1000);
  await setField(page, "#val-size", 500);
  await setField(page, "#epochs", 1);
  await setField(page, "#backend", "flex");
  await clickButton(page, "Train");
  await showsText(page, /On CPU \(Flex\) · \d+ threads?\./, 120_000);
  await showsText(page, "Finished: every epoch trained.", 600_000);
  assert.equal(await matrixSum(page), 500, "the matrix sums to the validation images");
  assert.match(await text(page, "p.status"), /ms per batch · \d+ images\/s/);
}

/** Answer every question of the open step: each choice in turn until the right one. */
async function answerQuiz(page) {
  const questions = await page.evaluate(() => document.querySelectorAll(".quiz fieldset").length);
  assert.ok(questions >= 2, "each step has at least two questions");
  for (let q = 0; q < questions; q++) {
    const options = await page.evaluate((q) => document.querySelectorAll(".quiz fieldset")[q].querySelectorAll("input[type=radio]").length, q);
    let right = false;
    for (let o = 0; o < options && !right; o++) {
      await page.evaluate((q, o) => document.querySelectorAll(".quiz fieldset")[q].querySelectorAll("input[type=radio]")[o].click(), q, o);
      const feedback = await until(page, "feedback", (q) => document.querySelectorAll(".quiz fieldset")[q].querySelector(".feedback")?.innerText, [q]);
      right = feedback.startsWith("Right.");
      if (!right) assert.match(feedback, /^Not quite\. The answer is "/);
    }
    assert.ok(right, `question ${q + 1} has a right answer`);
  }
}

async function next(page, title) {
  await click(page, ".pager .next");
  await until(page, `step "${title}"`, (t) => document.querySelector("#lesson-h")?.innerText.includes(t), [title]);
}

/** All nine steps, each's working part computed from the real model and images. */
export async function walkScenario(page, url, served) {
  await page.goto(url);
  await showsText(page, "Progress: 0 of 9 steps passed");
  await clickButton(page, "Start with step 1");

  await until(page, "step 1", () => document.querySelector("#lesson-h")?.innerText.includes("AI, machine learning, deep learning"));
  await clickButton(page, "Drop a new point to classify");
  await until(page, "a classified point", () => /the classifier says: (circle|square|triangle)/.test(document.querySelector("#learning-status")?.innerText));
  await clickButton(page, "Without labels (unsupervised)");
  await clickButton(page, "Run one k-means step");
  await until(page, "a k-means step", () => /After 1 step: groups of \d+, \d+, \d+ points/.test(document.querySelector("#learning-status")?.innerText));
  await answerQuiz(page);
  await showsText(page, "Progress: 1 of 9 steps passed");

  await next(page, "The dataset");
  await loadData(page, served);
  await until(page, "all the images counted", (n) => document.querySelector("table.counts tr.total")?.innerText.includes(n), [served ? "50,000" : "5,000"], 180_000);
  await setField(page, "#gallery-class", "3");
  const captions = await page.evaluate(() => [...document.querySelectorAll(".gallery .caption")].map((c) => c.innerText));
  assert.ok(captions.length > 0 && captions.every((c) => c === captions[0]), `one class: ${captions}`);
  await answerQuiz(page);

  await next(page, "What a convolution does");
  const edges = await until(page, "the output", () => document.querySelector("#conv-output")?.dataset.sum);
  await setField(page, "#kernel-preset", await page.evaluate(() => [...document.querySelector("#kernel-preset").options].find((o) => o.text === "Blur").value));
  await until(page, "the blurred output", (old) => document.querySelector("#conv-output").dataset.sum !== old, [edges]);
  await answerQuiz(page);

  await next(page, "Build the CNN step by step");
  await clickButton(page, "6-layer CNN");
  await clickButton(page, "Add them all");
  await until(page, "the full count", () => /2,395,434 weights, as published/.test(document.querySelector("#build-status")?.innerText));
  await answerQuiz(page);

  await next(page, "Train");
  await setField(page, "#model", "four");
  await setField(page, "#train-size", 320);
  await setField(page, "#val-size", 200);
  await setField(page, "#epochs", 1);
  await setField(page, "#backend", "flex");
  await clickButton(page, "Train");
  await showsText(page, "Finished: every epoch trained.", 300_000);
  await answerQuiz(page);

  await next(page, "Evaluate");
  const cells = await until(page, "the matrix", () => {
    const c = [...document.querySelectorAll("table.confusion .cell-button")].map((b) => Number(b.innerText));
    return c.length === 100 ? c : null;
  });
  assert.equal(cells.reduce((a, b) => a + b, 0), 200, "the 200 validation images");
  await page.evaluate((i) => document.querySelectorAll("table.confusion .cell-button")[i].click(), cells.indexOf(Math.max(...cells)));
  await until(page, "the cell's images", () => !!document.querySelector("#cell-h"));
  await answerQuiz(page);

  await next(page, "Compare");
  assert.match(await text(page, "#published-results"), /6-layer CNN\s+10\s+75\.61%\s+1 h 45 min\s+published/);
  assert.match(await text(page, "#own-runs"), /4-layer CNN\s+1\s+320/);
  await answerQuiz(page);

  await next(page, "Look inside");
  await until(page, "32 kernels", () => document.querySelectorAll("#first-kernels svg").length === 32, [], 120_000);
  await until(page, "the maps", () => document.querySelectorAll("#conv-maps h4").length === 4, [], 120_000);
  assert.match(await text(page, "#inside-guess"), /The model says: .+ \(\d+%\)\./);
  await answerQuiz(page);

  await next(page, "Try your own image");
  // A photo made in the page (a red square on blue), handed to the file input.
  await page.evaluate(() => {
    const c = document.createElement("canvas");
    c.width = 60; c.height = 40;
    const g = c.getContext("2d");
    g.fillStyle = "#1e40af"; g.fillRect(0, 0, 60, 40);
    g.fillStyle = "#dc2626"; g.fillRect(20, 10, 20, 20);
    return new Promise((resolve) => c.toBlob((blob) => {
      const files = new DataTransfer();
      files.items.add(new File([blob], "photo.png", { type: "image/png" }));
      const input = document.querySelector("#own-image");
      input.files = files.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
      resolve(true);
    }, "image/png"));
  });
  const top = await until(page, "three classes", () => {
    const li = [...document.querySelectorAll(".top3 li")].map((l) => l.innerText);
    return li.length === 3 ? li : null;
  }, [], 120_000);
  const probs = top.map((t) => parseFloat(t.match(/([\d.]+)%/)[1]));
  assert.deepEqual(probs, [...probs].sort((a, b) => b - a));
  await answerQuiz(page);
  await showsText(page, "Progress: 9 of 9 steps passed");

  // A reload keeps the progress and the run.
  await page.reload();
  await showsText(page, "Progress: 9 of 9 steps passed");
}
