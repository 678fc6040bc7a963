// The course in headless Chromium: a walk through all nine steps, each showing its
// working part (computed, not pictured), the questions answering, a run trained in step 5
// feeding steps 6 to 9, then a reload that keeps the run and the progress; a teacher's
// link to a step with settings; weights downloaded and loaded back.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { serve, browser, open, setNumber, served, loadData, shows } from "./harness.mjs";

let site, chrome;
before(async () => { site = await serve(); chrome = await browser(); });
after(async () => { await chrome?.close(); site?.close(); });


const heading = (page) => page.locator("#lesson-h");

async function next(page, title) {
  await page.locator(".pager .next").click();
  await page.locator("#lesson-h", { hasText: title }).waitFor();
}

/** Answer every question of the open step: first a wrong choice, then the right one. */
async function answerQuiz(page) {
  const questions = page.locator(".quiz fieldset");
  const n = await questions.count();
  assert.ok(n >= 2, "each step has at least two questions");
  for (let q = 0; q < n; q++) {
    const field = questions.nth(q);
    const options = field.locator("input[type=radio]");
    const count = await options.count();
    // Try each option until the feedback says right; a wrong one explains the answer.
    let right = false;
    for (let o = 0; o < count && !right; o++) {
      await options.nth(o).check();
      const feedback = field.locator(".feedback");
      await feedback.waitFor();
      const text = await feedback.innerText();
      right = text.startsWith("Right.");
      if (!right) assert.match(text, /^Not quite\. The answer is "/);
      assert.ok(text.length > 40, "the feedback explains");
    }
    assert.ok(right, `question ${q + 1} has a right answer`);
  }
}

test(`every step works (${served ? "CIFAR-10" : "demo set"}), a run and the progress survive a reload`, async () => {
  const context = await chrome.newContext({ acceptDownloads: true });
  const { page, errors, foreign } = await open(context, site.url);

  // Home: the contents, nothing passed yet.
  await page.getByText("Progress: 0 of 9 steps passed").waitFor();
  await page.getByRole("link", { name: "Start with step 1" }).click();

  // 1. Supervised vs unsupervised on points.
  await heading(page).filter({ hasText: "AI, machine learning, deep learning" }).waitFor();
  await page.getByRole("button", { name: "Drop a new point to classify" }).click();
  await shows(page.locator("#learning-status"), /the classifier says: (circle|square|triangle)/);
  await page.getByRole("button", { name: "Without labels (unsupervised)" }).click();
  await page.getByRole("button", { name: "Run one k-means step" }).click();
  await shows(page.locator("#learning-status"), /After 1 step: groups of \d+, \d+, \d+ points/);
  await page.getByRole("button", { name: "Run one k-means step" }).click();
  await shows(page.locator("#learning-status"), /After 2 steps/);
  await answerQuiz(page);
  await page.getByText("Progress: 1 of 9 steps passed").waitFor();

  // 2. The dataset: load it here, filter the gallery, count per class.
  await next(page, "The dataset");
  await loadData(page);
  const names = await page.locator("#gallery-class option").allInnerTexts();
  assert.equal(names.length, 11, "all classes plus ten");
  await page.locator("#gallery-class").selectOption("3");
  const captions = await page.locator(".gallery .caption").allInnerTexts();
  assert.ok(captions.length > 0);
  assert.ok(captions.every((c) => c === names[4]), `only ${names[4]}: ${captions}`);
  // Served data streams in: the counts grow until every batch is in.
  await page.locator("table.counts tr.total", { hasText: served ? "50,000" : "5,000" }).waitFor({ timeout: 120_000 });
  const totalRow = await page.locator("table.counts tr.total").innerText();
  assert.match(totalRow, served ? /50,000\s+10,000/ : /5,000\s+1,000/);
  await setNumber(page, "pixel-row", 3);
  assert.match(await page.locator("#pixel-values").innerText(), /row 3, column 16[\s\S]*red\s+\d+\s+\d\.\d{3}/);
  await answerQuiz(page);

  // 3. Convolution: the output changes with the kernel.
  await next(page, "What a convolution does");
  const sum = () => page.locator("#conv-output").getAttribute("data-sum");
  const edges = await sum();
  await page.locator("#kernel-preset").selectOption({ label: "Blur" });
  await page.waitForFunction((old) => document.querySelector("#conv-output").dataset.sum !== old, edges);
  const blur = await sum();
  await page.locator("#k4").fill("3");
  await page.locator("#k4").press("Tab");
  await page.waitForFunction((old) => document.querySelector("#conv-output").dataset.sum !== old, blur);
  assert.match(await page.locator("#pixel-sum").innerText(), /Output at row 16, column 16 = .*×3\.00 .* = -?\d+\.\d{3}; after ReLU/);
  await answerQuiz(page);

  // 4. Build the CNN: each layer changes the count, ending at the spec's figure.
  await next(page, "Build the CNN step by step");
  await page.getByRole("button", { name: "6-layer CNN" }).click();
  await page.locator("#add-layer").click();
  await shows(page.locator("#build-status"), /1 of 17 layers, 896 weights so far/);
  await page.locator("#add-layer").click();
  await page.locator("#add-layer").click();
  await shows(page.locator("#build-status"), /3 of 17 layers, 10,144 weights so far/);
  await page.getByRole("button", { name: "Add them all" }).click();
  await shows(page.locator("#build-status"), /2,395,434 weights, as published/);
  assert.match(await page.locator(".code pre").innerText(), /pub fn six_layer\(\) -> ModelSpec/);
  await page.getByRole("button", { name: "4-layer CNN" }).click();
  await page.getByRole("button", { name: "Add them all" }).click();
  await shows(page.locator("#build-status"), /1,250,858 weights, as published/);
  await answerQuiz(page);

  // 5. Train a short run (the 4-layer model on 320 images, one epoch, on the CPU).
  await next(page, "Train");
  await page.locator("#model").selectOption("four");
  await setNumber(page, "train-size", 320);
  await setNumber(page, "val-size", 200);
  await setNumber(page, "epochs", 1);
  await page.locator("#backend").selectOption("flex");
  await page.getByRole("button", { name: "Train", exact: true }).click();
  await page.getByText("Finished: every epoch trained.").waitFor({ timeout: 180_000 });
  await answerQuiz(page);

  // 6. Evaluate: the matrix of that run; a cell shows its images, most confident first.
  await next(page, "Evaluate");
  const cells = page.locator("table.confusion .cell-button");
  assert.equal(await cells.count(), 100);
  const counts = (await cells.allInnerTexts()).map(Number);
  assert.equal(counts.reduce((a, b) => a + b, 0), 200, "the 200 validation images");
  const busiest = counts.indexOf(Math.max(...counts));
  await cells.nth(busiest).click();
  await page.locator("#cell-h").waitFor();
  assert.match(await page.locator("#cell-h").innerText(), new RegExp(`${counts[busiest]} images \\(most confident`));
  const shown = (await page.locator(".cell-images .caption").allInnerTexts()).map((t) => parseFloat(t));
  assert.equal(shown.length, Math.min(24, counts[busiest]));
  assert.deepEqual(shown, [...shown].sort((a, b) => b - a), "most confident first");
  assert.equal(await page.locator(".top-confusions li").count(), 3);
  await answerQuiz(page);

  // 7. Compare: the published table beside the learner's run; the odd matrix is flagged.
  await next(page, "Compare");
  const published = await page.locator("#published-results").innerText();
  assert.match(published, /6-layer CNN\s+10\s+75\.61%\s+1 h 45 min\s+published/);
  assert.equal(await page.locator("#published-results tbody tr").count(), 8);
  assert.match(await page.locator("#own-runs").innerText(), /4-layer CNN\s+1\s+320/);
  await page.locator("#published-pick").selectOption({ label: "6-layer CNN, 20 epochs" });
  await page.getByText("As published, this matrix sums to 10,030, not 10,000.").waitFor();
  assert.match(await page.locator("#overfit-gap").innerText(), /training accuracy is [\d.]+ points (above|below) validation accuracy/);
  await answerQuiz(page);

  // 8. Look inside: 32 first-layer kernels and the maps of the 4 conv layers.
  await next(page, "Look inside");
  await page.locator("#first-kernels svg").first().waitFor({ timeout: 30_000 });
  assert.equal(await page.locator("#first-kernels svg").count(), 32);
  await page.locator("#conv-maps").waitFor({ timeout: 30_000 });
  const layers = await page.locator("#conv-maps h4").allInnerTexts();
  assert.deepEqual(layers.map((t) => t.replace(/ \(showing.*/, "")), [
    "Conv layer 1: 32 maps of 32×32", "Conv layer 2: 32 maps of 30×30",
    "Conv layer 3: 64 maps of 15×15", "Conv layer 4: 64 maps of 13×13",
  ]);
  assert.match(await page.locator("#inside-guess").innerText(), /The model says: .+ \(\d+%\)\./);
  await answerQuiz(page);

  // 9. Your own image: a photo made here (a red square on blue, 60×40), then a non-image.
  await next(page, "Try your own image");
  const png = await page.evaluate(() => {
    const c = document.createElement("canvas");
    c.width = 60; c.height = 40;
    const g = c.getContext("2d");
    g.fillStyle = "#1e40af"; g.fillRect(0, 0, 60, 40);
    g.fillStyle = "#dc2626"; g.fillRect(20, 10, 20, 20);
    return c.toDataURL("image/png").split(",")[1];
  });
  await page.locator("#own-image").setInputFiles({ name: "photo.png", mimeType: "image/png", buffer: Buffer.from(png, "base64") });
  await page.locator("#own-answer").waitFor({ timeout: 30_000 });
  const top = await page.locator(".top3 li").allInnerTexts();
  assert.equal(top.length, 3);
  const probs = top.map((t) => parseFloat(t.match(/([\d.]+)%/)[1]));
  assert.deepEqual(probs, [...probs].sort((a, b) => b - a));
  await page.locator("#own-image").setInputFiles({ name: "notes.txt", mimeType: "image/png", buffer: Buffer.from("not a picture") });
  await page.getByText("notes.txt could not be read as an image").waitFor();
  assert.equal(await page.locator("#own-answer").count(), 1, "the last answer stays");
  await answerQuiz(page);
  await page.getByText("Progress: 9 of 9 steps passed").waitFor();

  // A reload keeps the run, the model and the progress.
  await page.reload();
  await page.locator("#lesson-h", { hasText: "Try your own image" }).waitFor();
  await page.getByText("Progress: 9 of 9 steps passed").waitFor();
  await page.getByRole("link", { name: "Your runs", exact: true }).click();
  await page.locator("#run-list").waitFor({ timeout: 30_000 });
  assert.equal(await page.locator("#run-list tbody tr").count(), 1);
  assert.match(await page.locator("#run-list").innerText(), /4-layer CNN\s+1\s+320/);
  await page.locator("#model-in-use").waitFor();

  // Downloads: weights, report, history; the weights load back; a wrong file is refused.
  const [weights] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download weights", exact: true }).click()]);
  assert.match(weights.suggestedFilename(), /^cnnlab-four-1ep-run-\d+\.bin$/);
  const file = path.join(os.tmpdir(), `cnnlab-e2e-${process.pid}.bin`);
  await weights.saveAs(file);
  const [csv] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download history (CSV)", exact: true }).click()]);
  const csvText = fs.readFileSync(await csv.path(), "utf8");
  assert.match(csvText, /^epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds,partial\n1,/);
  const [json] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download report (JSON)", exact: true }).click()]);
  const report = JSON.parse(fs.readFileSync(await json.path(), "utf8"));
  assert.equal(report.model, "four");
  assert.equal(report.train_images, 320);
  assert.equal(report.confusion_matrix.flat().reduce((a, b) => a + b, 0), 200);
  await page.locator("#load-weights").setInputFiles(file);
  const said = page.locator("section.runs p.notice, section.runs p.error").first();
  await said.waitFor({ timeout: 30_000 });
  assert.match(await said.innerText(), new RegExp(`^Loaded ${path.basename(file).replace(".", "\\.")}: weights of the 4-layer CNN`));
  await page.locator("#load-weights").setInputFiles({ name: "cat.jpg", mimeType: "image/jpeg", buffer: Buffer.from("not weights") });
  await page.getByText("cat.jpg is not a weights file for the 4-layer or 6-layer CNN").waitFor();
  fs.rmSync(file, { force: true });

  // Other images loaded than the run's: step 6 says so and evaluates the model afresh
  // on the page, on the first 500 test images of what is loaded now.
  await page.getByRole("button", { name: "Look inside" }).click();
  await page.getByText(/^Steps 6, 8 and 9 now use 4-layer CNN, 1 epoch on 320 images/).waitFor();
  await page.goto(site.url + "#/lesson/5");
  await page.getByRole("button", { name: "Use the offline demo set" }).click();
  await page.getByText("NOT CIFAR-10").first().waitFor();
  await page.goto(site.url + "#/lesson/6");
  if (served) await page.getByText(/stored answers are for CIFAR-10 .* but synthetic shapes/).waitFor({ timeout: 30_000 });
  await page.getByRole("button", { name: "Evaluate it on the first 500 test images" }).click();
  await page.locator("table.confusion .cell-button").first().waitFor({ timeout: 120_000 });
  const fresh = (await page.locator("table.confusion .cell-button").allInnerTexts()).map(Number);
  assert.equal(fresh.reduce((a, b) => a + b, 0), 500, "evaluated on the page: 500 images");

  assert.deepEqual(foreign, [], "no request to another origin");
  assert.deepEqual(errors, [], "no uncaught errors");
  await context.close();
});

test("a teacher's link opens its step, with the settings it carries", async () => {
  const context = await chrome.newContext();
  const { page } = await open(context, site.url + "#/lesson/6");
  await page.locator("#lesson-h", { hasText: "Evaluate" }).waitFor();
  assert.match(await page.locator(".toc li.current").innerText(), /6\. Evaluate/);
  const { page: trainer } = await open(context, site.url + "?model=four&lr=0.05&epochs=2&train=640&val=200&seed=7#/lesson/5");
  await trainer.locator("#lesson-h", { hasText: "Train" }).waitFor();
  assert.equal(await trainer.locator("#model").inputValue(), "four");
  assert.equal(await trainer.locator("#epochs").inputValue(), "2");
  assert.equal(await trainer.locator("#lr").inputValue(), "0.05");
  assert.equal(await trainer.locator("#train-size").inputValue(), "640");
  await trainer.getByText("Settings from the link you opened").waitFor();
  // The share box builds the same kind of link from the current settings.
  const link = await trainer.locator("#share-url").inputValue();
  assert.match(link, /\?model=four&lr=0\.05&.*epochs=2&train=640&val=200&seed=7#\/lesson\/5$/);
  // The address keeps the step but drops the query: a reload keeps later edits.
  assert.ok(trainer.url().endsWith("/lab/#/lesson/5"), trainer.url());
  await setNumber(trainer, "epochs", 3);
  await trainer.reload();
  await trainer.locator("#lesson-h", { hasText: "Train" }).waitFor();
  assert.equal(await trainer.locator("#epochs").inputValue(), "3");
  await context.close();
});
