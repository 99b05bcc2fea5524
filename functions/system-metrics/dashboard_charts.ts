/**
 * The dashboard's chart code, run in the browser: bar charts (stacked or grouped) and line
 * charts drawn as inline SVG from plain arrays, with axes, grid lines and a legend. No library
 * and no network: the page's CSP allows nothing but its own script and style and a fetch to its
 * own origin. Every mark carries `data-point`, so a test (and an admin's devtools) can count
 * what was drawn. Text always goes in through `textContent`, never as markup.
 */

/** Browser JavaScript (ES2020), inserted into the page's nonce'd script element. */
export const CHARTS_JS = String.raw`
const NS = "http://www.w3.org/2000/svg";
const PALETTE = ["#2563eb", "#16a34a", "#dc2626", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563"];
const W = 640, H = 220, PAD = { l: 52, r: 12, t: 12, b: 28 };

function svgEl(tag, attrs, text) {
  const e = document.createElementNS(NS, tag);
  for (const k in attrs) e.setAttribute(k, String(attrs[k]));
  if (text !== undefined) e.textContent = text;
  return e;
}

function htmlEl(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 4, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function frame(name, label, days, yMax, fmt) {
  const svg = svgEl("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": label,
    "data-chart": name, class: "chart" });
  const ih = H - PAD.t - PAD.b;
  for (let i = 0; i <= 4; i++) {
    const y = PAD.t + ih - (ih * i) / 4;
    svg.appendChild(svgEl("line", { x1: PAD.l, x2: W - PAD.r, y1: y, y2: y, stroke: "#e5e7eb" }));
    svg.appendChild(svgEl("text", { x: PAD.l - 6, y: y + 4, "text-anchor": "end", "font-size": 11,
      fill: "#6b7280" }, fmt((yMax * i) / 4)));
  }
  const step = (W - PAD.l - PAD.r) / days.length;
  days.forEach((d, i) => {
    if (days.length > 8 && i % 2 === 1) return;
    svg.appendChild(svgEl("text", { x: PAD.l + step * (i + 0.5), y: H - 8, "text-anchor": "middle",
      "font-size": 11, fill: "#6b7280" }, d.slice(5)));
  });
  const y = (v) => PAD.t + ih - (ih * v) / yMax;
  return { svg, step, y };
}

function legend(series) {
  const ul = htmlEl("ul", "legend");
  for (const s of series) {
    const li = htmlEl("li");
    const sw = svgEl("svg", { width: 12, height: 12, "aria-hidden": "true" });
    sw.appendChild(svgEl("rect", { width: 12, height: 12, rx: 2, fill: s.color }));
    li.appendChild(sw);
    li.appendChild(document.createTextNode(" " + s.name));
    ul.appendChild(li);
  }
  return ul;
}

function emptyNote(box) {
  box.appendChild(htmlEl("p", "empty", "No data in this period."));
}

/** Bars per day: stacked (one bar of all series) or grouped (one bar per series). */
function barChart(box, name, label, days, series, opts) {
  const totals = days.map((_, i) => opts.stacked
    ? series.reduce((a, s) => a + (s.values[i] || 0), 0)
    : Math.max(0, ...series.map((s) => s.values[i] || 0)));
  const yMax = niceMax(Math.max(0, ...totals));
  const f = frame(name, label, days, yMax, opts.fmt);
  const bw = f.step * 0.7;
  days.forEach((d, i) => {
    let base = 0;
    series.forEach((s, k) => {
      const v = s.values[i] || 0;
      if (v <= 0) return;
      const x = PAD.l + f.step * i + (f.step - bw) / 2 + (opts.stacked ? 0 : (bw / series.length) * k);
      const w = opts.stacked ? bw : bw / series.length;
      const top = f.y(base + v), bottom = f.y(base);
      const r = svgEl("rect", { x: x, y: top, width: Math.max(1, w - 1), height: Math.max(1, bottom - top),
        fill: s.color, "data-point": s.name + " " + d + " " + v });
      r.appendChild(svgEl("title", {}, s.name + " " + d + ": " + opts.fmt(v)));
      f.svg.appendChild(r);
      if (opts.stacked) base += v;
    });
  });
  box.appendChild(f.svg);
  box.appendChild(legend(series));
  if (!totals.some((t) => t > 0)) emptyNote(box);
}

/** One line per series; null values leave a gap. */
function lineChart(box, name, label, days, series, opts) {
  const values = series.flatMap((s) => s.values.filter((v) => v !== null && v !== undefined));
  const yMax = opts.yMax || niceMax(Math.max(0, ...values));
  const f = frame(name, label, days, yMax, opts.fmt);
  for (const s of series) {
    let path = "";
    s.values.forEach((v, i) => {
      if (v === null || v === undefined) return;
      const x = PAD.l + f.step * (i + 0.5), y = f.y(v);
      const prev = i > 0 ? s.values[i - 1] : null;
      path += (prev === null || prev === undefined ? "M" : "L") + x.toFixed(1) + " " + y.toFixed(1) + " ";
      const c = svgEl("circle", { cx: x, cy: y, r: 3, fill: s.color, "data-point": s.name + " " + days[i] + " " + v });
      c.appendChild(svgEl("title", {}, s.name + " " + days[i] + ": " + opts.fmt(v)));
      f.svg.appendChild(c);
    });
    if (path) {
      f.svg.insertBefore(svgEl("path", { d: path.trim(), fill: "none", stroke: s.color, "stroke-width": 2 }),
        f.svg.querySelector("circle"));
    }
  }
  box.appendChild(f.svg);
  box.appendChild(legend(series));
  if (values.length === 0) emptyNote(box);
}
`;
