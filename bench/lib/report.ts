/** Writes latest.json, latest.md and the enqueue chart (hand-written SVG). */
import { join } from "node:path";
import type { BenchReport, CurvePoint, ResultRow } from "./types.ts";

const fmt = (n: number | null | undefined) => n === null || n === undefined ? "" : String(n);

function valueCell(r: ResultRow): string {
  if (r.skipped) return `skipped: ${r.skipped}`;
  const spread = r.spread && r.spread.runs.length > 1 ? ` (${r.spread.min}–${r.spread.max})` : "";
  return `${fmt(r.value)} ${r.unit}${spread}`;
}

function metCell(r: ResultRow): string {
  if (r.meets_target === null) return "";
  return r.meets_target ? "yes" : "**no**";
}

/** The markdown table of all rows. */
export function markdownTable(rows: ResultRow[]): string {
  const out = [
    "| Scenario | Metric | Value (median, min–max) | Anchor (same run) | Anchor value | Ratio | Target | Met |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const r of rows) {
    const anchor = r.anchor_value === null
      ? ""
      : `${r.anchor_value}${
        r.anchor_spread && r.anchor_spread.runs.length > 1
          ? ` (${r.anchor_spread.min}–${r.anchor_spread.max})`
          : ""
      }`;
    out.push(
      `| ${r.scenario} | ${r.metric} | ${valueCell(r)} | ${r.anchor ?? ""} | ${anchor} | ${
        fmt(r.ratio)
      } | ${r.target ?? ""} | ${metCell(r)} |`,
    );
  }
  return out.join("\n");
}

/**
 * Every row with a target, in one table: the figure, its anchor from the same run, the ratio and
 * whether the target is met (the full table above has the diagnostics around them).
 */
export function targetsTable(rows: ResultRow[]): string {
  const out = [
    "| Scenario | Target row | Value | Anchor (same run) | Anchor value | Ratio | Target | Met |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const r of rows.filter((x) => x.target !== null)) {
    out.push(
      `| ${r.scenario} | ${r.metric} | ${fmt(r.value)} ${r.unit} | ${r.anchor ?? ""} | ${
        fmt(r.anchor_value)
      } | ${fmt(r.ratio)} | ${r.target} | ${metCell(r)} |`,
    );
  }
  return out.join("\n");
}

/** Throughput vs clients for the enqueue scenario, one line per series. */
export function enqueueChart(points: CurvePoint[]): string {
  const W = 640, H = 360, L = 70, R = 170, T = 30, B = 50;
  const series = [...new Set(points.map((p) => p.series))];
  const xs = [...new Set(points.map((p) => p.clients))].sort((a, b) => a - b);
  const maxY = Math.max(1, ...points.map((p) => p.rps)) * 1.1;
  const x = (c: number) => L + (xs.indexOf(c) / Math.max(1, xs.length - 1)) * (W - L - R);
  const y = (v: number) => T + (1 - v / maxY) * (H - T - B);
  const colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${L}" y="18" font-size="14">POST /queue-job throughput vs concurrent clients</text>`,
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/>`,
    `<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="black"/>`,
    `<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">clients</text>`,
    `<text x="16" y="${(T + H - B) / 2}" transform="rotate(-90 16 ${
      (T + H - B) / 2
    })" text-anchor="middle">req/s (tps)</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (maxY / 4) * i;
    parts.push(
      `<line x1="${L - 4}" y1="${y(v)}" x2="${W - R}" y2="${y(v)}" stroke="#ddd"/>`,
      `<text x="${L - 8}" y="${y(v) + 4}" text-anchor="end">${Math.round(v)}</text>`,
    );
  }
  for (const c of xs) {
    parts.push(
      `<text x="${x(c)}" y="${H - B + 18}" text-anchor="middle">${c}</text>`,
    );
  }
  series.forEach((name, i) => {
    const pts = points.filter((p) => p.series === name).sort((a, b) => a.clients - b.clients);
    const color = colors[i % colors.length];
    parts.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2" points="${
        pts.map((p) => `${x(p.clients)},${y(p.rps)}`).join(" ")
      }"/>`,
      ...pts.map((p) =>
        `<circle cx="${x(p.clients)}" cy="${
          y(p.rps)
        }" r="3" fill="${color}"><title>${name} @${p.clients}: ${
          Math.round(p.rps)
        }</title></circle>`
      ),
      `<rect x="${W - R + 15}" y="${T + 10 + i * 20}" width="12" height="12" fill="${color}"/>`,
      `<text x="${W - R + 32}" y="${T + 20 + i * 20}">${name}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n");
}

/** The markdown page. */
export function markdown(
  report: BenchReport,
  chartFile: string,
  summary: string[],
): string {
  const m = report.machine;
  const lines = [
    "# Benchmark results",
    "",
    `Run ${report.date}${
      report.quick ? " (**--quick**: shorter runs, fewer jobs)" : ""
    }, ${report.duration_seconds} s. Machine: ${m.cores} cores (${m.cpu_model}), ${m.memory_mb} MB, ${m.os}.`,
    `Versions: ${Object.entries(report.versions).map(([k, v]) => `${k} ${v}`).join(", ")}.`,
    `Load: ${report.load_generator}.`,
    "",
    "Every figure is the median of the measured runs (after a warm-up run) with min–max; ratios",
    "compare with anchors measured in the same run on the same machine, as DESIGN.md section 11",
    "asks: absolute numbers drift from run to run on these machines, ratios much less.",
    "",
    markdownTable(report.results),
    "",
    `![enqueue throughput vs clients](${chartFile})`,
    "",
    "## Targets",
    "",
    ...summary,
    "",
    targetsTable(report.results),
    "",
    "## Where the time goes",
    "",
  ];
  for (const [scenario, profile] of Object.entries(report.profiles)) {
    lines.push(`### ${scenario}`, "", "```text", ...profile, "```", "");
  }
  lines.push(
    "## Settings",
    "",
    "```json",
    JSON.stringify(report.settings, null, 2),
    "```",
    "",
    "Reproduce with `npm run bench` (or `npm run bench -- --quick`); the stack is private to the run.",
    "",
  );
  return lines.join("\n");
}

/** Writes the three files into `dir`. */
export async function writeReport(
  dir: string,
  report: BenchReport,
  summary: string[],
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(
    join(dir, "latest.json"),
    JSON.stringify(report, null, 2) + "\n",
  );
  await Deno.writeTextFile(
    join(dir, "enqueue.svg"),
    enqueueChart(report.curve) + "\n",
  );
  await Deno.writeTextFile(
    join(dir, "latest.md"),
    markdown(report, "enqueue.svg", summary),
  );
  // In deno fmt's own layout, so `deno fmt --check bench` passes on the committed results too.
  await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--quiet", join(dir, "latest.md"), join(dir, "latest.json")],
    stdout: "null",
    stderr: "null",
  }).output();
}
