/**
 * The OpenAPI check of `npm test`: fetches what each running function serves at
 * `/<name>/openapi.json` (through the gateway, as a client would) and lints the documents with
 * the pinned `@redocly/cli` (`redocly.yaml`: recommended rules). Any error or warning fails it.
 */
import { join } from "node:path";
import { REPO_ROOT } from "./cluster.ts";
import { run } from "./process.ts";

const REDOCLY = join(REPO_ROOT, "node_modules/.bin/redocly");

/** One problem redocly reported, as its `--format=json` output has it. */
interface Problem {
  ruleId: string;
  severity: string;
  message: string;
  location?: { source?: { ref?: string }; pointer?: string }[];
}

/** redocly's `--format=json` report for one document. */
interface Report {
  totals: { errors: number; warnings: number };
  problems: Problem[];
}

/** Lints the documents of `names` served behind `gatewayUrl`; `output` explains a failure. */
export async function lintOpenApiDocuments(
  gatewayUrl: string,
  names: string[],
): Promise<{ ok: boolean; output: string }> {
  const dir = await Deno.makeTempDir({ prefix: "openapi-lint-" });
  try {
    const files: string[] = [];
    for (const name of names) {
      const res = await fetch(`${gatewayUrl}/functions/v1/${name}/openapi.json`);
      const text = await res.text();
      if (!res.ok) return { ok: false, output: `${name}/openapi.json: ${res.status} ${text}` };
      files.push(join(dir, `${name}.json`));
      await Deno.writeTextFile(files.at(-1)!, text);
    }
    const res = await run(
      [REDOCLY, "lint", "--config", "redocly.yaml", "--format=json", ...files],
      {
        cwd: REPO_ROOT,
        allowFail: true,
        // Nothing may leave the machine: no usage data, no version check against the registry.
        env: { REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_COLOR: "1" },
      },
    );
    let reports: Report[];
    try {
      reports = splitJson(res.stdout) as Report[];
    } catch {
      reports = [];
    }
    const problems = reports.flatMap((r) => r.problems).map((p) => {
      const at = p.location?.[0];
      const file = at?.source?.ref?.split("/").at(-1) ?? "?";
      return `${file} ${at?.pointer ?? ""} ${p.severity} ${p.ruleId}: ${p.message}`;
    });
    const counted = reports.reduce((n, r) => n + r.totals.errors + r.totals.warnings, 0);
    const ok = res.code === 0 && reports.length === files.length && counted === 0;
    // Without a report per document, redocly itself failed: its stderr says why.
    const output = reports.length === files.length
      ? problems.join("\n")
      : `redocly exited ${res.code}:\n${res.stdout}\n${res.stderr}`;
    return { ok, output };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Parses redocly's json output: one object per document, written back to back. */
function splitJson(text: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
    } else if (ch === "{") {
      if (depth++ === 0) start = i;
    } else if (ch === "}" && --depth === 0) {
      values.push(JSON.parse(text.slice(start, i + 1)));
    }
  }
  return values;
}
