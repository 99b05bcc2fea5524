/**
 * The dashboard's page logic, run in the browser after the chart code: takes the admin's token
 * from the URL fragment (`#token=...`: a fragment never reaches a server or its logs) and drops
 * it from the address bar at once, asks `dashboard/data` for the figures with it as a bearer,
 * and draws the summary, the tables and the charts of the last 14 days. Without a token it
 * offers a field to paste one (kept in memory only).
 */

/** Browser JavaScript (ES2020), inserted after {@link CHARTS_JS}. */
export const PAGE_JS = String.raw`
const $ = (id) => document.getElementById(id);
const pct = (v) => (v === null || v === undefined ? "–" : (v * 100).toFixed(1) + " %");
const num = (v) => (v === null || v === undefined ? "–" : Number(v).toLocaleString("en-US"));
const count = (v) => (Number.isInteger(v) ? num(v) : v.toFixed(1));
const secs = (ms) => (ms === null || ms === undefined ? "–" : (ms / 1000).toFixed(1) + " s");

function takeToken() {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!m) return null;
  history.replaceState(null, "", location.pathname + location.search);
  return decodeURIComponent(m[1]);
}

function say(text, isError) {
  const s = $("status");
  s.textContent = text;
  s.className = isError ? "status error" : "status";
}

function card(label, value) {
  const d = htmlEl("div", "card");
  d.appendChild(htmlEl("span", "label", label));
  d.appendChild(htmlEl("span", "value", value));
  return d;
}

function table(id, head, rows) {
  const t = $(id);
  t.replaceChildren();
  const tr = htmlEl("tr");
  for (const h of head) tr.appendChild(htmlEl("th", "", h));
  t.appendChild(tr);
  for (const r of rows) {
    const row = htmlEl("tr");
    for (const c of r) row.appendChild(htmlEl("td", "", c));
    t.appendChild(row);
  }
  if (rows.length === 0) {
    const row = htmlEl("tr");
    const td = htmlEl("td", "empty", "none");
    td.colSpan = head.length;
    row.appendChild(td);
    t.appendChild(row);
  }
}

function byDay(days, list, pick) {
  const at = new Map((list || []).map((r) => [r.date, r]));
  return days.map((d) => (at.has(d) ? pick(at.get(d)) : null));
}

function render(data) {
  const o = data.overview, daily = data.daily;
  const days = daily.jobs.map((r) => r.date);
  const cards = $("cards");
  cards.replaceChildren(
    card("queued", num(o.jobs.by_status.queued)),
    card("processing", num(o.jobs.by_status.processing)),
    card("completed 24 h", num(o.jobs.completed_24h)),
    card("success rate 24 h", pct(o.jobs.success_rate_24h)),
    card("oldest queued", o.jobs.oldest_queued_age_s === null ? "–" : num(Math.round(o.jobs.oldest_queued_age_s)) + " s"),
    card("credits charged 24 h", num(o.credits.charged_24h)),
    card("credits refunded 24 h", num(o.credits.refunded_24h)),
    card("active users 24 h", num(o.users.active_24h)),
    card("new users 24 h", num(o.users.new_24h)),
    card("storage", num(Math.round((o.storage.workspace_bytes + o.storage.library_bytes) / 1048576)) + " MiB"),
  );
  table("providers", ["provider", "requests 1 h", "errors 1 h", "p95 latency", "cooldown until", "rate limit left"],
    o.providers.map((p) => [p.name, num(p.requests_1h), pct(p.error_rate_1h),
      p.p95_latency_ms === null ? "–" : num(p.p95_latency_ms) + " ms", p.cooldown_until || "–",
      p.rate_limit_remaining === null ? "no limit" : num(p.rate_limit_remaining)]));
  table("queues", ["model", "queued", "processing", "avg run", "ETA"],
    o.queues.eta.map((q) => [q.model_key || "(deleted model)", num(q.queued), num(q.processing),
      secs(q.avg_generation_ms), q.eta_s === null ? "unknown" : num(q.eta_s) + " s"]));

  const charts = [["c-jobs", "jobs"], ["c-success", "success"], ["c-p95", "p95"], ["c-credits", "credits"],
    ["c-providers", "providers"]];
  for (const [id] of charts) $(id).replaceChildren();
  barChart($("c-jobs"), "jobs", "Finished jobs per day by status", days, [
    { name: "completed", color: "#16a34a", values: daily.jobs.map((r) => r.completed) },
    { name: "failed", color: "#dc2626", values: daily.jobs.map((r) => r.failed) },
    { name: "cancelled", color: "#9ca3af", values: daily.jobs.map((r) => r.cancelled) },
  ], { stacked: true, fmt: count });
  const models = daily.models.slice(0, PALETTE.length);
  lineChart($("c-success"), "success", "Success rate per model and day", days, models.map((m, i) => ({
    name: m.model_key, color: PALETTE[i], values: byDay(days, m.days, (r) => r.success_rate),
  })), { yMax: 1, fmt: (v) => Math.round(v * 100) + "%" });
  lineChart($("c-p95"), "p95", "p95 generation time per model and day", days, models.map((m, i) => ({
    name: m.model_key, color: PALETTE[i], values: byDay(days, m.days, (r) => r.p95_ms),
  })), { fmt: (v) => (v / 1000).toFixed(1) + " s" });
  barChart($("c-credits"), "credits", "Credits charged and refunded per day", days, [
    { name: "charged", color: "#2563eb", values: daily.credits.map((r) => r.charged) },
    { name: "refunded", color: "#d97706", values: daily.credits.map((r) => r.refunded) },
  ], { stacked: false, fmt: count });
  lineChart($("c-providers"), "providers", "Provider error rate per day", days,
    daily.providers.slice(0, PALETTE.length).map((p, i) => ({
      name: p.name, color: PALETTE[i], values: byDay(days, p.days, (r) => r.error_rate),
    })), { yMax: 1, fmt: (v) => Math.round(v * 100) + "%" });
  say("Figures read at " + o.generated_at + " (daily series: " + daily.from + " to " + daily.to + ", UTC)", false);
  document.body.setAttribute("data-ready", "true");
}

async function load(token) {
  say("Loading…", false);
  const url = location.pathname.replace(/\/+$/, "") + "/data";
  let res;
  try {
    res = await fetch(url, { headers: { authorization: "Bearer " + token }, cache: "no-store" });
  } catch (_err) {
    say("The metrics could not be reached.", true);
    return;
  }
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    say((body && body.error && body.error.message) || "Request failed (" + res.status + ")", true);
    return;
  }
  render(body);
}

let token = takeToken();
$("token-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  token = $("token").value.trim();
  $("token").value = "";
  if (token) load(token);
});
$("reload").addEventListener("click", () => token && load(token));
// A token pasted into the address bar of an open page arrives as a fragment change.
addEventListener("hashchange", () => {
  const fresh = takeToken();
  if (fresh) load(token = fresh);
});
if (token) load(token);
else say("Open this page as …/dashboard#token=<admin JWT>, or paste an admin token above.", false);
`;
