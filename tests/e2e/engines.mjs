// Three browser engines behind one small driver, for the scenarios every engine runs
// (engines.test.mjs): Debian's Chromium through playwright-core, Debian's Firefox ESR
// through puppeteer-core over WebDriver BiDi, and WebKitGTK's MiniBrowser through
// selenium-webdriver and WebKitWebDriver (classic WebDriver) under Xvfb. No browser is
// downloaded: each launcher names the system's binary.
//
// A page is driven through `evaluate` alone (a function run in the page, returning JSON),
// the one thing all three protocols do alike; the scenarios build clicks, typing and waits
// on it (scenarios.mjs).
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import { chromium } from "playwright-core";

export const ENGINES = ["chromium", "firefox", "webkit"];

const MINIBROWSER = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";

/** Whether this machine has the engine's browser (the setup scripts install all three). */
export function available(engine) {
  const bin = { chromium: process.env.CHROMIUM || "/usr/bin/chromium", firefox: "/usr/bin/firefox-esr", webkit: MINIBROWSER }[engine];
  return !!bin && fs.existsSync(bin);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on("error", reject);
  });
}

async function until(check, what, timeout = 20_000) {
  const end = Date.now() + timeout;
  for (;;) {
    try { if (await check()) return; } catch { /* not yet */ }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The source of a call of `fn` with `args`, to run in a page. */
const call = (fn, args) => `(${fn.toString()})(...${JSON.stringify(args)})`;

async function launchChromium() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  return {
    name: "chromium",
    async newPage() {
      const context = await browser.newContext();
      const page = await context.newPage();
      return {
        goto: (url) => page.goto(url),
        reload: () => page.reload(),
        evaluate: (fn, ...args) => page.evaluate(call(fn, args)),
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

async function launchFirefox() {
  const { default: puppeteer } = await import("puppeteer-core");
  const browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: "/usr/bin/firefox-esr",
    headless: true,
    extraPrefsFirefox: {
      // A closed network: nothing of Mozilla's to reach.
      "app.update.enabled": false, "browser.safebrowsing.malware.enabled": false,
      "browser.safebrowsing.phishing.enabled": false, "datareporting.policy.dataSubmissionEnabled": false,
      "network.captive-portal-service.enabled": false, "network.connectivity-service.enabled": false,
    },
  });
  return {
    name: "firefox",
    async newPage() {
      // A fresh profile's worth of state for each page: its own browsing context group.
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      return {
        goto: (url) => page.goto(url),
        reload: () => page.reload(),
        evaluate: (fn, ...args) => page.evaluate(call(fn, args)),
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

async function launchWebKit() {
  const { Builder } = await import("selenium-webdriver");
  const port = await freePort();
  // WebKitWebDriver starts MiniBrowser in automation mode, which needs a display.
  const driverProcess = spawn("xvfb-run", ["-a", "WebKitWebDriver", `--port=${port}`], { stdio: "ignore", detached: true });
  const stop = () => { try { process.kill(-driverProcess.pid, "SIGTERM"); } catch { /* gone */ } };
  await until(() => new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1", () => { socket.end(); resolve(true); });
    socket.on("error", () => resolve(false));
  }), "WebKitWebDriver to listen");
  const sessions = [];
  return {
    name: "webkit",
    async newPage() {
      // A new session is a new MiniBrowser with an empty profile.
      const driver = await new Builder()
        .usingServer(`http://127.0.0.1:${port}`)
        .withCapabilities({ browserName: "MiniBrowser", "webkitgtk:browserOptions": { binary: MINIBROWSER, args: ["--automation"] } })
        .build();
      sessions.push(driver);
      return {
        goto: (url) => driver.get(url),
        reload: () => driver.navigate().refresh(),
        evaluate: (fn, ...args) => driver.executeScript(`return ${call(fn, args)};`),
        close: async () => { await driver.quit(); sessions.splice(sessions.indexOf(driver), 1); },
      };
    },
    async close() {
      for (const d of sessions.splice(0)) await d.quit().catch(() => {});
      stop();
    },
  };
}

/** Start `engine` ("chromium", "firefox" or "webkit"). */
export function launch(engine) {
  return { chromium: launchChromium, firefox: launchFirefox, webkit: launchWebKit }[engine]();
}
