/**
 * `npm test`'s import-boundary step: checks every TypeScript file of the repository against the
 * rules of scripts/lib/boundaries.ts and prints each violation as `file:line imports target
 * (rule)`. Known violations (scripts/lib/boundary_allowlist.ts) are printed but do not fail.
 * Exits 1 on any other violation.
 *
 *   deno run --allow-read scripts/check_boundaries.ts [--root <dir>]
 */
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import {
  findViolations,
  formatViolation,
  type SourceFile,
  type Violation,
} from "./lib/boundaries.ts";
import { KNOWN_VIOLATIONS, type KnownViolation } from "./lib/boundary_allowlist.ts";

// Folders with code; those that do not exist (yet) are skipped.
const CODE_DIRS = ["functions", "shared", "simulators", "scripts", "tests", "bench"];
const SKIP_DIRS = new Set(["node_modules", ".local", "results"]);

/** The outcome of one check. */
export interface BoundaryReport {
  files: number;
  violations: Violation[];
  known: { violation: Violation; why: string }[];
  /** Allowlist entries that no longer match an import. */
  stale: KnownViolation[];
}

async function* walk(dir: string): AsyncGenerator<string> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    throw err;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory && !SKIP_DIRS.has(e.name)) yield* walk(path);
    else if (e.isFile && e.name.endsWith(".ts")) yield path;
  }
}

/** Reads every `.ts` file under the code folders of `root`. */
export async function readSources(root: string): Promise<SourceFile[]> {
  const files: SourceFile[] = [];
  for (const dir of CODE_DIRS) {
    for await (const abs of walk(join(root, dir))) {
      files.push({
        path: relative(root, abs).split(sep).join("/"),
        text: await Deno.readTextFile(abs),
      });
    }
  }
  return files;
}

/** Checks the tree at `root`, splitting known violations from new ones. */
export async function checkBoundaries(
  root: string,
  allowlist: readonly KnownViolation[] = KNOWN_VIOLATIONS,
): Promise<BoundaryReport> {
  const files = await readSources(root);
  const report: BoundaryReport = { files: files.length, violations: [], known: [], stale: [] };
  const used = new Set<KnownViolation>();
  for (const v of findViolations(files)) {
    const entry = allowlist.find((k) => k.file === v.file && k.target === v.target);
    if (entry) {
      used.add(entry);
      report.known.push({ violation: v, why: entry.why });
    } else report.violations.push(v);
  }
  report.stale = allowlist.filter((k) => !used.has(k));
  return report;
}

if (import.meta.main) {
  const at = Deno.args.indexOf("--root");
  const root = at >= 0
    ? resolve(Deno.args[at + 1])
    : resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const report = await checkBoundaries(root);
  for (const v of report.violations) console.log(formatViolation(v));
  for (const { violation, why } of report.known) {
    console.log(`known, to be removed: ${formatViolation(violation)} [${why}]`);
  }
  for (const k of report.stale) {
    console.log(`stale allowlist entry (its import is gone; remove it): ${k.file} -> ${k.target}`);
  }
  console.log(
    `import boundaries: ${report.files} files, ${report.violations.length} violation(s), ` +
      `${report.known.length} known, to be removed`,
  );
  Deno.exit(report.violations.length === 0 ? 0 : 1);
}
