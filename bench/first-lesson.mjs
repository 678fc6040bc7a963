// How soon the course shows, in each engine a class uses: median of 5 cold loads of the
// first lesson (`#/lesson/1`) on localhost, each in a fresh profile (no cache, no service
// worker), from navigation to the page's first render (the app's own
// performance.mark("cnnlab-first-render")); and the page's and the trainer's wasm as built,
// raw and gzip -9 / brotli -11 (what a static host would send).
//
//   scripts/setup-web --e2e && trunk build --release
//   node bench/first-lesson.mjs [--engines chromium,firefox,webkit] [--loads 5]
// Prints a markdown table; writes bench/results/first-lesson.json.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const here = path.dirname(new URL(import.meta.url).pathname);
const { serve, root, dist } = await import(path.join(here, "../tests/e2e/harness.mjs"));
const { launch, available, ENGINES } = await import(path.join(here, "../tests/e2e/engines.mjs"));

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const engines = option("--engines", ENGINES.join(",")).split(",").filter(available);
const loads = Number(option("--loads", 5));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const site = await serve();
const results = {};
try {
  for (const engine of engines) {
    const browser = await launch(engine);
    const times = [];
    try {
      for (let i = 0; i < loads; i++) {
        const page = await browser.newPage();
        await page.goto(site.url + "#/lesson/1");
        // The app's own mark; a build from before it had one is timed by polling for the
        // lesson's heading (as precise as the driver's round trip, a few milliseconds).
        let t = null;
        for (const end = Date.now() + 60_000; t === null && Date.now() < end; ) {
          t = await page.evaluate(() => {
            if (!document.querySelector("#lesson-h")) return null;
            const mark = performance.getEntriesByName("cnnlab-first-render")[0];
            return mark ? mark.startTime : performance.now();
          }).catch(() => null);
        }
        if (t === null) throw new Error(`${engine}: the first lesson did not show within a minute`);
        times.push(t);
        await page.close();
      }
    } finally {
      await browser.close();
    }
    results[engine] = { first_render_ms: times, median_ms: median(times) };
    console.error(`${engine}: ${times.map((t) => t.toFixed(0)).join(", ")} ms`);
  }
} finally {
  site.close();
}

const sizes = {};
for (const f of fs.readdirSync(dist).filter((f) => f.endsWith("_bg.wasm"))) {
  const bytes = fs.readFileSync(path.join(dist, f));
  const program = f.startsWith("cnnlab-trainer") ? "trainer" : "page";
  sizes[program] = {
    file: f,
    raw: bytes.length,
    gzip: zlib.gzipSync(bytes, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }).length,
  };
}
const mb = (n) => (n / 1e6).toFixed(2) + " MB";
console.log("| engine | first lesson drawn, median of " + loads + " cold loads | all loads |");
console.log("| --- | ---: | --- |");
for (const [engine, r] of Object.entries(results)) {
  console.log(`| ${engine} | ${r.median_ms.toFixed(0)} ms | ${r.first_render_ms.map((t) => t.toFixed(0)).join(", ")} |`);
}
console.log("\n| wasm | raw | gzip -9 | brotli -11 |");
console.log("| --- | ---: | ---: | ---: |");
for (const [program, s] of Object.entries(sizes)) console.log(`| ${program} (${s.file}) | ${mb(s.raw)} | ${mb(s.gzip)} | ${mb(s.brotli)} |`);
fs.mkdirSync(path.join(root, "bench/results"), { recursive: true });
fs.writeFileSync(path.join(root, "bench/results/first-lesson.json"), JSON.stringify({ engines: results, wasm: sizes }, null, 2));
