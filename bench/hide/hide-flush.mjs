// Times the page-hide flush in Chromium: a page with N counters (relay mode) gets a synthetic
// `visibilitychange` with `document.visibilityState` overridden to "hidden"; the time spent in
// that event's handlers is what a closing page has (about 0.45 s) before Chromium kills it.
// Usage: node bench/hide/hide-flush.mjs [script=dist/apptuit.iife.js] [series...]
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { chromium } from "playwright-core";

const root = resolve(import.meta.dirname, "../..");
const script = process.argv[2] ?? "dist/apptuit.iife.js";
const sizes = process.argv.length > 3 ? process.argv.slice(3).map(Number) : [1000, 5000];
const RUNS = Number(process.env.RUNS ?? 5);

const page = (n) => `<!doctype html><script src="/sdk.js"></script><script>
const h = Apptuit.init({ relayUrl: "/apptuit", interval: 600000, onError: null });
for (let i = 0; i < ${n}; i++) h.registry.counter("bench.hits", { series: "s" + i, page: "hide" }).inc(i + 1);
window.hideFlush = () => {
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
  const t0 = performance.now();
  window.dispatchEvent(new Event("visibilitychange"));
  const ms = performance.now() - t0;
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "visible" });
  window.dispatchEvent(new Event("pageshow"));
  return ms;
};
</script>`;

const server = createServer(async (req, res) => {
  if (req.url === "/sdk.js") return res.writeHead(200, { "content-type": "text/javascript" }).end(await readFile(resolve(root, script)));
  if (req.url.startsWith("/page")) return res.writeHead(200, { "content-type": "text/html" }).end(page(Number(req.url.split("/")[2])));
  req.resume();
  req.on("end", () => res.writeHead(204, { "access-control-allow-origin": "*" }).end());
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_BIN ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--headless", "--disable-gpu"],
});
try {
  for (const n of sizes) {
    const times = [];
    for (let run = 0; run < RUNS; run++) {
      const tab = await browser.newPage();
      await tab.goto(`${origin}/page/${n}`);
      times.push(await tab.evaluate(() => window.hideFlush()));
      await tab.close();
    }
    times.sort((a, b) => a - b);
    console.log(
      `${script} ${n} series: median ${times[RUNS >> 1].toFixed(1)} ms (min ${times[0].toFixed(1)}, max ${times[RUNS - 1].toFixed(1)})`,
    );
  }
} finally {
  await browser.close();
  server.close();
}
