// Shared by the end-to-end tests: a static server for dist/ (as any static host would
// serve it, under a sub-path) and Debian's headless Chromium driven by playwright-core.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const dist = process.env.CNNLAB_DIST || path.join(root, "dist");
/** The site is served under this sub-path, to prove the build works there. */
export const base = "/lab/";

const types = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript",
  ".wasm": "application/wasm", ".css": "text/css", ".svg": "image/svg+xml",
  ".json": "application/json", ".txt": "text/plain", ".bin": "application/octet-stream",
  ".md": "text/plain",
};

/**
 * Serve dist/ at http://127.0.0.1:PORT/lab/ as a typical static host does (GitHub Pages:
 * `Cache-Control: max-age=600`, `Last-Modified` and `ETag`, 304 to a matching conditional
 * request). Resolves to { url, downloads, close, stop }: `downloads` counts the full
 * responses (200) per file, a download of its bytes; `stop()` also drops open connections
 * (the network going away).
 */
export function serve() {
  const downloads = new Map();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    if (!url.pathname.startsWith(base)) { res.writeHead(404); return res.end(); }
    let rel = decodeURIComponent(url.pathname.slice(base.length)) || "index.html";
    const file = path.join(dist, rel);
    if (!file.startsWith(dist) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404); return res.end("not found");
    }
    const stat = fs.statSync(file);
    const etag = `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
    const headers = {
      "cache-control": "max-age=600",
      "last-modified": stat.mtime.toUTCString(),
      etag,
    };
    if (req.headers["if-none-match"] === etag) {
      res.writeHead(304, headers);
      return res.end();
    }
    downloads.set(rel, (downloads.get(rel) || 0) + 1);
    res.writeHead(200, {
      ...headers,
      "content-type": types[path.extname(file)] || "application/octet-stream",
      "content-length": stat.size,
    });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}${base}`,
        downloads,
        close: () => server.close(),
        stop: () => new Promise((done) => { server.close(done); server.closeAllConnections(); }),
      });
    });
  });
}

/** Headless Chromium as this machine allows it (root, closed network); `gc` gives pages a
 * `gc()` to collect garbage before a memory reading (benchmarks). */
export async function browser({ webgpu = false, gc = false } = {}) {
  const args = [
    "--no-sandbox", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
  ];
  if (webgpu) args.push("--enable-unsafe-webgpu", "--disable-gpu-sandbox");
  if (gc) args.push("--js-flags=--expose-gc");
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args,
  });
}

/** The page asks for this file to learn whether the site serves CIFAR-10: a 404 is fine. */
const probe = "data/batches.meta.txt";

/**
 * A page on the site that records requests to other origins and uncaught errors (console
 * errors and 404s other than the data probe's). Returns { page, foreign, errors }.
 */
export async function open(context, url) {
  const page = await context.newPage();
  const foreign = [];
  const errors = [];
  const origin = new URL(url).origin;
  page.on("request", (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith("data:") && !u.startsWith("blob:")) foreign.push(u);
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    // Failed loads are checked by URL below; the console line does not name the URL.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text());
  });
  page.on("response", (r) => {
    if (r.status() >= 400 && !r.url().endsWith(probe)) errors.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(url);
  await page.getByRole("heading", { name: "CIFAR-10 CNN Lab" }).waitFor();
  return { page, foreign, errors };
}

/** The real CIFAR-10 when the site serves it (scripts/e2e puts the shared archive into
 * dist/data/), else the demo set. */
export const served = fs.existsSync(path.join(dist, "data", "test_batch.bin"));

/** Load the served CIFAR-10 (waiting until it is in use), or the demo set. */
export async function loadData(page) {
  if (served) {
    await page.getByRole("button", { name: "Load CIFAR-10 from this site" }).click();
    await page.getByText("CIFAR-10 (served by this site)").first().waitFor({ timeout: 120_000 });
  } else {
    await page.getByRole("button", { name: "Use the offline demo set" }).click();
    await page.getByText("NOT CIFAR-10").first().waitFor();
  }
}

/** Set a number field the way a user does: type, then leave the field. */
export async function setNumber(page, id, value) {
  const input = page.locator(`#${id}`);
  await input.fill(String(value));
  await input.press("Tab");
}

/**
 * Wait until `locator` shows text matching `pattern`. The page re-renders after an event
 * on its own schedule, so a check right after a click must wait for it, not read at once.
 */
export async function shows(locator, pattern, timeout = 10_000) {
  await locator.filter({ hasText: pattern }).waitFor({ timeout });
}
