#!/usr/bin/env python3
"""WebGPU training speed in Chromium on a machine with a GPU: the app against TensorFlow.js.

Drives a headless Chromium over the DevTools protocol with nothing but Python's standard
library, so it runs on a GPU machine that has Python and no Node (the lent H100s here):

1. finds a launch of Chromium whose WebGPU adapter is the real GPU (not SwiftShader, the
   CPU fallback), trying a few flag sets, and records the adapter;
2. trains each model in the app exactly as a learner does (lesson 5, the offline demo set,
   batch 32, "Train on: WebGPU") for 10 epochs of 5,000 images, i.e. the 50,000 images of
   one CIFAR-10 epoch, and times it; the demo set has CIFAR-10's shapes, so the time per
   image is the same as on the real data;
3. times TensorFlow.js (bench/tfjs/page.html) training the same models on its webgpu and
   webgl backends in the same browser.

    python3 bench/webgpu_chromium.py --chromium PATH --site dist --tfjs DIR [--out DIR]

--tfjs is a folder holding tf.min.js, tf-backend-webgpu.min.js and tf-backend-wasm.min.js
(from bench/tfjs/node_modules). Prints a markdown table; writes webgpu-chromium.json.
"""

import argparse
import base64
import http.server
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = "/lab/"  # the app is served under a sub-path, as a static host would

COMMON_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu-sandbox", "--disable-dev-shm-usage",
    "--no-first-run", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-quic", "--enable-unsafe-webgpu", "--ignore-gpu-blocklist",
    "--remote-debugging-port=0", "--enable-logging=stderr", "--v=0",
]
# Ways to put WebGPU on the GPU in headless Chromium on Linux, tried in order. On Linux,
# Chromium gives WebGPU a Vulkan adapter only when Skia itself runs on Vulkan or when
# "WebGPU on Vulkan via GL interop" is on; it turns the latter on for Wayland only, and
# headless is not Wayland: "interop" forces it, "vulkan" puts Skia on Vulkan.
FLAG_SETS = {
    "interop": ["--use-angle=vulkan", "--enable-features=ForceEnableWebGpuInterop"],
    "vulkan": ["--use-angle=vulkan", "--enable-features=Vulkan", "--disable-vulkan-surface"],
    # Chromium also requires that a WebGPU adapter can import the compositor's images
    # (Vulkan's VK_EXT_external_memory_dma_buf); where the driver lacks it (NVIDIA without
    # a DRM device, e.g. in a VM), only Dawn's OpenGL ES adapter on ANGLE is left, and that
    # one only in WebGPU's compatibility mode.
    "compat": ["--use-angle=vulkan", "--enable-features=ForceEnableWebGpuInterop",
               "--use-webgpu-adapter=opengles", "--force-webgpu-compat"],
    "default": [],
}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


class WebSocket:
    """The client half of RFC 6455, enough for the DevTools protocol (text frames)."""

    def __init__(self, url, timeout=600):
        assert url.startswith("ws://")
        hostport, path = url[5:].split("/", 1)
        host, port = hostport.split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\n"
             f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
             "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise ConnectionError("DevTools closed the connection during the handshake")
            head += chunk
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise ConnectionError(f"DevTools refused the websocket: {head[:200]!r}")

    def _recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("DevTools closed the connection")
            buf += chunk
        return buf

    def send(self, text):
        data = text.encode()
        head = bytes([0x81])
        n = len(data)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(head + mask + body)

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._recv_exact(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._recv_exact(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._recv_exact(8))[0]
            payload = self._recv_exact(n)
            opcode = b0 & 0x0F
            if opcode == 0x8:
                raise ConnectionError("DevTools closed the websocket")
            if opcode == 0x9:  # ping: answer, keep reading
                continue
            if opcode in (0x0, 0x1, 0x2):
                message += payload
                if b0 & 0x80:
                    return message.decode()


class Page:
    """One page target, spoken to over the DevTools protocol."""

    def __init__(self, ws_url):
        self.ws = WebSocket(ws_url)
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def eval(self, expression):
        """Evaluate in the page (awaiting a promise); the value, or an exception."""
        r = self.call("Runtime.evaluate", expression=expression, awaitPromise=True,
                      returnByValue=True)
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            raise RuntimeError(d.get("exception", {}).get("description") or d.get("text"))
        return r.get("result", {}).get("value")

    def goto(self, url):
        self.call("Page.navigate", url=url)
        self.wait("document.readyState === 'complete'", 60, "the page to load")

    def wait(self, condition, seconds, what):
        end = time.time() + seconds
        while time.time() < end:
            try:
                if self.eval(f"!!({condition})"):
                    return
            except RuntimeError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"timed out after {seconds} s waiting for {what}")


class Browser:
    def __init__(self, chromium, flags, logfile):
        self.profile = tempfile.mkdtemp(prefix="cnnlab-chromium-")
        self.log = open(logfile, "w")
        self.proc = subprocess.Popen(
            [chromium, *COMMON_FLAGS, *flags, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=self.log, stderr=subprocess.STDOUT)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        end = time.time() + 30
        while not os.path.exists(port_file):
            if self.proc.poll() is not None or time.time() > end:
                raise RuntimeError(f"Chromium did not start (exit {self.proc.poll()}); see {logfile}")
            time.sleep(0.1)
        time.sleep(0.2)
        self.port = int(open(port_file).read().split()[0])

    def page(self):
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list"))
        target = next(t for t in targets if t.get("type") == "page")
        return Page(target["webSocketDebuggerUrl"])

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)
        trim(self.log.name)


def trim(path, keep=1 << 20):
    """Keep a log's first and last half megabyte: a GPU process that fails in a loop
    writes tens of megabytes of the same lines."""
    size = os.path.getsize(path)
    if size <= keep:
        return
    with open(path, "rb") as f:
        head = f.read(keep // 2)
        f.seek(size - keep // 2)
        tail = f.read()
    with open(path, "wb") as f:
        f.write(head + f"\n[... {size - keep} bytes left out ...]\n".encode() + tail)


def serve(site, tfjs):
    """The app under /lab/, the TF.js page under /tfjs-bench/ (cross-origin isolated)."""
    page_html = os.path.join(HERE, "tfjs", "page.html")
    blank = os.path.join(tempfile.mkdtemp(prefix="cnnlab-serve-"), "blank.html")
    with open(blank, "w") as f:
        f.write("<!doctype html><title>probe</title>")

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def end_headers(self):
            self.send_header("Cross-Origin-Opener-Policy", "same-origin")
            self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
            self.send_header("Cache-Control", "no-cache")
            super().end_headers()

        def translate_path(self, path):
            p = path.split("?", 1)[0].split("#", 1)[0]
            if p.startswith(BASE):
                rel = p[len(BASE):] or "index.html"
                return os.path.join(site, rel)
            if p in ("/tfjs-bench/", "/tfjs-bench/page.html"):
                return page_html
            if p.startswith("/tfjs-bench/tfjs/"):
                return os.path.join(tfjs, os.path.basename(p))
            if p == "/blank.html":
                return blank
            return "/nonexistent"

    Handler.extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                              ".wasm": "application/wasm", ".js": "text/javascript"}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


ADAPTER_JS = """Promise.race([(async () => {
  if (!navigator.gpu) return { error: 'navigator.gpu is missing' };
  const a = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!a) return { error: 'no adapter' };
  const i = a.info || {};
  return { vendor: i.vendor, architecture: i.architecture, device: i.device,
           description: i.description, featureLevel: a.featureLevel || (a.features.has('core-features-and-limits') ? 'core' : 'compatibility'), fallback: !!(a.isFallbackAdapter || i.isFallbackAdapter) };
})(), new Promise(r => setTimeout(() => r({ error: 'requestAdapter took over 20 s' }), 20000))])"""

HELPERS_JS = """window.__b = {
  button(text) { return [...document.querySelectorAll('button')].find(b => b.textContent.trim() === text); },
  click(text) { const b = this.button(text); if (!b) throw new Error('no button ' + text); b.click(); },
  num(id, v) {
    const i = document.getElementById(id);
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(i, String(v));
    i.dispatchEvent(new InputEvent('input', { bubbles: true }));
    i.dispatchEvent(new Event('change', { bubbles: true }));
  },
  select(id, v) { const s = document.getElementById(id); s.value = v; s.dispatchEvent(new Event('change', { bubbles: true })); },
  text(sel) { const e = document.querySelector(sel); return e ? e.innerText : ''; },
}; true"""


def is_real_gpu(info):
    if not info or info.get("error") or info.get("fallback"):
        return False
    text = " ".join(str(v) for v in info.values()).lower()
    return "swiftshader" not in text and "llvmpipe" not in text and "lavapipe" not in text


def train_in_app(page, url, model, epochs, train_size, timeout):
    page.goto(f"{url}{BASE}#/lesson/5")
    page.wait("document.querySelector('h1') && document.body.innerText.includes('CIFAR-10 CNN Lab')",
              60, "the app's heading")
    page.eval(HELPERS_JS)
    page.wait("/WebGPU adapter|software adapter|No WebGPU/.test(document.body.innerText)", 60,
              "the app's WebGPU probe")
    page.eval("__b.click('Use the offline demo set')")
    page.wait("document.body.innerText.includes('NOT CIFAR-10')", 60, "the demo set")
    page.eval(f"__b.select('model', '{model}')")
    time.sleep(0.3)
    for field, value in (("batch", 32), ("train-size", train_size), ("val-size", 10), ("epochs", epochs)):
        page.eval(f"__b.num('{field}', {value})")
        time.sleep(0.2)
    page.eval("__b.select('backend', 'webgpu')")
    time.sleep(0.3)
    got = page.eval("['model','batch','train-size','val-size','epochs','backend']"
                    ".map(id => document.getElementById(id).value)")
    want = [model, "32", str(train_size), "10", str(epochs), "webgpu"]
    if got != want:
        raise RuntimeError(f"the settings did not take: {got} (wanted {want})")
    gpu_line = page.eval("[...document.querySelectorAll('p.muted')].map(p => p.innerText)"
                         ".find(t => /WebGPU/.test(t)) || ''")
    if gpu_line.startswith("No WebGPU"):
        # The app would train on the CPU instead: not what this benchmark measures.
        raise RuntimeError(f"the app does not train on this adapter: {gpu_line}")
    page.eval("__b.click('Train')")
    start = time.time()
    first_batch = None
    status = ""
    while time.time() - start < timeout:
        status = page.eval("__b.text('p.status')") or ""
        if first_batch is None and "ms per batch" in status:
            first_batch = time.time() - start
        if "Finished" in status or "problem" in status or "Stopped" in status:
            break
        time.sleep(0.25)
    total = time.time() - start
    rows = page.eval("[...document.querySelectorAll('table.history tbody tr')]"
                     ".map(r => [...r.cells].map(c => c.innerText))")
    error = page.eval("__b.text('.error')")
    if "Finished" not in status:
        raise RuntimeError(f"the run did not finish in {timeout} s: {status} {error}")
    on = re.search(r"On (.+?)\. ", status + " ")
    return {"model": model, "device": on.group(1) if on else "unknown", "images": epochs * train_size, "epochs": epochs,
            "train_size": train_size, "wall_seconds": total,
            "seconds_to_first_batch_readout": first_batch, "status": status,
            "history": rows, "gpu_line": gpu_line}


def tfjs_bench(page, url, backend, model, batches):
    page.goto(f"{url}/tfjs-bench/page.html")
    page.wait("window.benchReady === true", 60, "the TF.js page")
    opts = json.dumps({"backend": backend, "model": model, "warmup": 3, "batches": batches,
                       "inferChunks": 4})
    return page.eval(f"window.runBench({opts})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--chromium", required=True)
    ap.add_argument("--site", required=True, help="the app as trunk built it (dist/)")
    ap.add_argument("--tfjs", required=True, help="folder with TF.js's .min.js files")
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    ap.add_argument("--models", default="six,four")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--train-size", type=int, default=5000)
    ap.add_argument("--tfjs-batches", type=int, default=100)
    ap.add_argument("--tfjs-backends", default="webgpu,webgl")
    ap.add_argument("--timeout", type=int, default=240, help="seconds per app run")
    ap.add_argument("--flag-sets", default=",".join(FLAG_SETS))
    ap.add_argument("--allow-software", action="store_true",
                    help="accept a software adapter (to try the script on a machine without a GPU)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    server, url = serve(os.path.abspath(args.site), os.path.abspath(args.tfjs))
    version = subprocess.run([args.chromium, "--version"], capture_output=True, text=True).stdout.strip()
    result = {"chromium": version, "probes": [], "app": [], "tfjs": []}

    names = args.flag_sets.split(",")
    chosen = None
    for name in names:
        logfile = os.path.join(args.out, f"chromium-{name}.log")
        try:
            b = Browser(args.chromium, FLAG_SETS[name], logfile)
        except Exception as e:  # noqa: BLE001 - report and try the next flag set
            result["probes"].append({"flags": name, "error": str(e)})
            log(f"probe {name}: {e}")
            continue
        try:
            p = b.page()
            p.goto(f"{url}/blank.html")
            info = p.eval(ADAPTER_JS)
        except Exception as e:  # noqa: BLE001
            info = {"error": str(e)}
        result["probes"].append({"flags": name, "adapter": info})
        log(f"probe {name}: {info}")
        if is_real_gpu(info) or (args.allow_software and info and not info.get('error')):
            chosen = (name, b)
            break
        b.close()
    if chosen is None:
        log(f"no flag set gave WebGPU on the GPU; chrome://gpu with the flags {names[0]!r} follows")
        b = Browser(args.chromium, FLAG_SETS[names[0]], os.path.join(args.out, "chromium-gpu-page.log"))
        try:
            p = b.page()
            p.goto("chrome://gpu")
            time.sleep(3)
            text = p.eval("[...document.querySelectorAll('*')].filter(e => e.shadowRoot)"
                          ".map(e => [...e.shadowRoot.children].filter(c => c.tagName !== 'STYLE')"
                          ".map(c => c.innerText).join('\\n')).join('\\n') || document.body.innerText")
            open(os.path.join(args.out, "chrome-gpu.txt"), "w").write(text or "")
        finally:
            b.close()
    else:
        name, b = chosen
        result["flags"] = FLAG_SETS[name]
        try:
            p = b.page()
            for model in args.models.split(","):
                try:
                    r = train_in_app(p, url, model, args.epochs, args.train_size, args.timeout)
                    log(f"app {model}: {r['wall_seconds']:.1f} s for {r['images']} images; {r['status']}")
                except Exception as e:  # noqa: BLE001
                    r = {"model": model, "error": str(e)}
                    log(f"app {model}: {e}")
                result["app"].append(r)
            for model in args.models.split(","):
                for backend in args.tfjs_backends.split(","):
                    try:
                        r = tfjs_bench(p, url, backend, model, args.tfjs_batches)
                        r.update(model=model, backend=backend)
                        log(f"tfjs {model} {backend}: {r['train_images_per_s']:.0f} images/s")
                    except Exception as e:  # noqa: BLE001
                        r = {"model": model, "backend": backend, "error": str(e)[:300]}
                        log(f"tfjs {model} {backend}: {e}")
                    result["tfjs"].append(r)
        finally:
            b.close()
    server.shutdown()
    with open(os.path.join(args.out, "webgpu-chromium.json"), "w") as f:
        json.dump(result, f, indent=2)
    report(result)


def report(result):
    print(f"WebGPU training in headless {result['chromium']}, batch 32\n")
    for probe in result["probes"]:
        print(f"- adapter with flags `{probe['flags']}`: {probe.get('adapter') or probe.get('error')}")
    print("\n| model | trainer | images/s | 50,000-image epoch (s) |")
    print("| --- | --- | ---: | ---: |")
    for r in result["app"]:
        if "error" in r:
            print(f"| {r['model']}-layer | this app, WebGPU | failed: {r['error']} | |")
        else:
            ips = r["images"] / r["wall_seconds"]
            where = r["device"]
            if not where.startswith("WebGPU"):
                where += f", not WebGPU: {r['gpu_line']}"
            print(f"| {r['model']}-layer | this app on {where} ({r['epochs']} × {r['train_size']:,} images, "
                  f"wall clock incl. start and {r['epochs']} validations) | {ips:.0f} | "
                  f"{50000 / ips:.1f} |")
    for r in result["tfjs"]:
        if "error" in r:
            print(f"| {r['model']}-layer | TF.js {r['backend']} | failed: {r['error']} | |")
        else:
            ips = r["train_images_per_s"]
            print(f"| {r['model']}-layer | TF.js {r['backend']} | {ips:.0f} | {50000 / ips:.1f} |")


if __name__ == "__main__":
    main()
