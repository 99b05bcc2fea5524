// The dashboard in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core
// under Node: playwright does not run under Deno). Run by dashboard_test.ts:
//   node tests/browser/dashboard.mjs <dashboard URL> <admin JWT> <screenshot path>
// Opens the page without a token, then with `#token=<JWT>`, and prints one JSON line with what
// it saw: console errors, failed and off-origin requests, HTTP errors, the charts and their
// marks, whether the token left the address bar, and the page's CSP.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { chromium } from "playwright-core";

const [url, jwt, screenshot] = process.argv.slice(2);
if (!url || !jwt || !screenshot) {
  console.error("usage: node dashboard.mjs <url> <admin jwt> <screenshot path>");
  process.exit(2);
}
const origin = new URL(url).origin;
const profile = await mkdtemp(join(tmpdir(), "dashboard-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1400, height: 1000 },
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const report = {};
let seen;
let page;
const reset = () => {
  seen = { console_errors: [], page_errors: [], failed: [], external: [], http_errors: [] };
};
/** A new tab whose console, errors and requests are collected into `seen`. */
async function openTab() {
  const tab = await context.newPage();
  tab.on("console", (m) => {
    if (m.type() === "error") seen.console_errors.push(m.text());
  });
  tab.on("pageerror", (e) => seen.page_errors.push(String(e)));
  tab.on("requestfailed", (r) => seen.failed.push(`${r.url()} ${r.failure()?.errorText}`));
  tab.on("request", (r) => {
    if (!r.url().startsWith("data:") && new URL(r.url()).origin !== origin) {
      seen.external.push(r.url());
    }
  });
  tab.on("response", (r) => {
    if (r.status() >= 400) seen.http_errors.push(`${r.status()} ${r.url()}`);
  });
  return tab;
}
try {
  // No token: the page explains itself and draws nothing.
  reset();
  page = await openTab();
  const first = await page.goto(url, { waitUntil: "load" });
  await page.waitForFunction(() => document.getElementById("status").textContent.length > 0);
  report.no_token = {
    ...seen,
    status: await page.textContent("#status"),
    charts: await page.locator("svg[data-chart]").count(),
    csp: first.headers()["content-security-policy"] ?? null,
  };
  await page.close();

  // The admin's token in the fragment, in a new tab as a link would open it.
  reset();
  page = await openTab();
  await page.goto(`${url}#token=${encodeURIComponent(jwt)}`, { waitUntil: "load" });
  await page.waitForSelector("body[data-ready=true]", { timeout: 20_000 });
  report.admin = {
    ...seen,
    status: await page.textContent("#status"),
    hash_after_load: await page.evaluate(() => location.hash),
    cards: await page.locator("#cards .card").count(),
    charts: await page.$$eval("svg[data-chart]", (svgs) =>
      svgs.map((s) => ({
        name: s.getAttribute("data-chart"),
        points: s.querySelectorAll("[data-point]").length,
        lines: s.querySelectorAll("path").length,
      }))),
  };
  await page.screenshot({ path: screenshot, fullPage: true });
} catch (err) {
  report.error = String(err?.stack ?? err);
  report.seen = seen;
  report.status_text = await page?.textContent("#status").catch(() => null);
} finally {
  await context.close();
  await rm(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(report));
