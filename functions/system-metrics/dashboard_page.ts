/**
 * The dashboard's HTML: one self-contained page (inline style and script under a per-response
 * nonce, charts drawn as inline SVG, no external request of any kind) holding no data. Why the
 * token travels in the URL fragment: docs/metrics.md ("The dashboard and its token").
 */
import { CHARTS_JS } from "./dashboard_charts.ts";
import { PAGE_JS } from "./dashboard_script.ts";

/** The Content-Security-Policy for a page rendered with `nonce`. */
export function dashboardCsp(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    "img-src data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

const CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #111827; background: #f9fafb; }
header { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; padding: 12px 20px;
  background: #111827; color: #f9fafb; }
header h1 { font-size: 18px; margin: 0 12px 0 0; }
header input { width: 260px; }
main { padding: 16px 20px; display: grid; gap: 16px; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); }
section { background: #fff; border: 1px solid #e5e7eb; border-radius: 6px; padding: 12px 16px; }
section h2 { font-size: 15px; margin: 0 0 8px; }
.wide { grid-column: 1 / -1; }
.cards { display: flex; flex-wrap: wrap; gap: 8px; }
.card { display: flex; flex-direction: column; min-width: 120px; padding: 8px 12px; border: 1px solid #e5e7eb;
  border-radius: 6px; background: #f9fafb; }
.card .label { font-size: 12px; color: #6b7280; }
.card .value { font-size: 20px; font-weight: 600; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #f3f4f6; }
.chart { width: 100%; height: auto; }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 12px; padding: 0; margin: 4px 0 0; font-size: 12px; }
.empty { color: #6b7280; }
.status { padding: 8px 20px; color: #374151; }
.status.error { color: #b91c1c; font-weight: 600; }
`;

/** The page, with `nonce` on its one style and one script element. */
export function dashboardPage(nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>system-metrics dashboard</title>
<style nonce="${nonce}">${CSS}</style>
</head>
<body>
<header>
  <h1>Operations: last 14 days</h1>
  <form id="token-form" autocomplete="off">
    <input id="token" type="password" placeholder="admin access token" aria-label="admin access token">
    <button type="submit">Load</button>
  </form>
  <button id="reload" type="button">Reload</button>
</header>
<p id="status" class="status" role="status"></p>
<main>
  <section class="wide"><h2>Now</h2><div id="cards" class="cards"></div></section>
  <section><h2>Jobs per day by status</h2><div id="c-jobs"></div></section>
  <section><h2>Success rate per model</h2><div id="c-success"></div></section>
  <section><h2>p95 generation time per model</h2><div id="c-p95"></div></section>
  <section><h2>Credits charged and refunded</h2><div id="c-credits"></div></section>
  <section><h2>Provider error rate</h2><div id="c-providers"></div></section>
  <section><h2>Providers, last hour</h2><table id="providers"></table></section>
  <section class="wide"><h2>Queues</h2><table id="queues"></table></section>
</main>
<script nonce="${nonce}">
"use strict";
(() => {
${CHARTS_JS}
${PAGE_JS}
})();
</script>
</body>
</html>
`;
}
