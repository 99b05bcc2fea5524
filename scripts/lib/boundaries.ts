/**
 * Import boundaries between the folders of the repository (DESIGN.md section 1): which folder
 * may import which. Each file is placed in an area (and, in `shared/`, a layer), each literal
 * relative import is resolved against the importing file, and every rule of {@link RULES} is
 * applied to the pair. Only direct imports are checked; `npm:`, `node:`, `jsr:`, URL and bare
 * (import-map) specifiers are packages, not folders of ours, and are ignored.
 */
import { posix } from "node:path";
import { scanImports } from "./import_scanner.ts";

/** Top-level folders the rules talk about; everything else is `other`. */
export type Area = "functions" | "shared" | "simulators" | "tests" | "scripts" | "bench" | "other";

/** Where a file sits, as far as the rules care. */
export interface Place {
  /** Repository-relative path with `/` separators. */
  path: string;
  area: Area;
  /** `functions/<name>/...`: the function's name. */
  fn?: string;
  /** `shared/<layer>/...`: the layer; `root` for files directly in `shared/`. */
  layer?: string;
  /** A `*_test.ts` file: test code, wherever it sits. */
  isTest: boolean;
}

// The HTTP app's wiring lives in shared/http/function_deps.ts (the layer check covers it); an
// old copy at shared/'s root would belong to the HTTP layer too.
const HTTP_WIRING = new Set(["shared/function_deps.ts"]);
/** The shared layers that know nothing of HTTP. */
export const DOMAIN_LAYERS = [
  "db",
  "jobs",
  "providers",
  "prompts",
  "chat",
  "storage",
  "media",
] as const;
const AREAS: readonly Area[] = ["functions", "shared", "simulators", "tests", "scripts", "bench"];

/** Places a repository-relative path. */
export function classify(path: string): Place {
  const parts = path.split("/");
  const top = parts[0] as Area;
  const area: Area = AREAS.includes(top) ? top : "other";
  const place: Place = { path, area, isTest: /_test\.ts$/.test(path) };
  if (area === "functions" && parts.length > 2) place.fn = parts[1];
  if (area === "shared") {
    place.layer = HTTP_WIRING.has(path) ? "http" : parts.length > 2 ? parts[1] : "root";
  }
  return place;
}

/** What test code may import besides its folder's rules: the test harness and the simulators. */
function isTestSupport(from: Place, to: Place): boolean {
  return from.isTest &&
    (to.area === "simulators" || to.path.startsWith("tests/support/"));
}

/** One boundary: files `from` selects must not import files `forbids` selects. */
export interface Rule {
  /** Short name printed with each violation. */
  id: string;
  /** The rule in words. */
  says: string;
  from: (from: Place) => boolean;
  forbids: (to: Place, from: Place) => boolean;
}

const isDomain = (p: Place) =>
  p.area === "shared" && (DOMAIN_LAYERS as readonly string[]).includes(p.layer ?? "");
const TOOLING: readonly Area[] = ["simulators", "tests", "scripts", "bench"];

/**
 * The rule table. A `*_test.ts` file follows the rules of its folder, except that it may also
 * import `tests/support/` and `simulators/` (unit tests beside the code use the harness).
 */
export const RULES: readonly Rule[] = [
  {
    id: "functions-isolated",
    says: "a function never imports another function; shared code goes in shared/",
    from: (f) => f.area === "functions",
    forbids: (to, f) => to.area === "functions" && to.fn !== f.fn,
  },
  {
    id: "shared-not-functions",
    says: "shared/ never imports functions/",
    from: (f) => f.area === "shared",
    forbids: (to) => to.area === "functions",
  },
  {
    id: "domain-not-http",
    says:
      "shared/{db,jobs,providers,prompts,chat,storage,media} never import shared/http or its wiring " +
      "(shared/function_deps.ts)",
    from: isDomain,
    forbids: (to) => to.area === "shared" && to.layer === "http",
  },
  {
    id: "product-not-tooling",
    says: "functions/ and shared/ never import simulators/, tests/, scripts/ or bench/",
    from: (f) => f.area === "functions" || f.area === "shared",
    forbids: (to, f) => TOOLING.includes(to.area) && !isTestSupport(f, to),
  },
  {
    id: "scripts-not-tests",
    says: "scripts/ never imports tests/ or bench/",
    from: (f) => f.area === "scripts",
    forbids: (to, f) => (to.area === "tests" || to.area === "bench") && !isTestSupport(f, to),
  },
  {
    id: "simulators-only-shared",
    says: "simulators/ imports only shared/ (and itself)",
    from: (f) => f.area === "simulators",
    forbids: (to, f) => to.area !== "shared" && to.area !== "simulators" && !isTestSupport(f, to),
  },
];

/** A source file to check. */
export interface SourceFile {
  /** Repository-relative path with `/` separators. */
  path: string;
  text: string;
}

/** One import that breaks a rule. */
export interface Violation {
  file: string;
  line: number;
  /** The imported file, repository-relative (may start with `../` when outside the repo). */
  target: string;
  rule: Rule;
}

/** The repository-relative file a specifier names, or null for packages and URLs. */
export function resolveSpecifier(fromPath: string, specifier: string): string | null {
  if (!specifier.startsWith("./") && !specifier.startsWith("../")) return null;
  return posix.normalize(posix.join(posix.dirname(fromPath), specifier));
}

/** Every violation in `files`, in file and line order. */
export function findViolations(files: Iterable<SourceFile>): Violation[] {
  const out: Violation[] = [];
  for (const file of files) {
    const from = classify(file.path);
    const rules = RULES.filter((r) => r.from(from));
    if (rules.length === 0) continue;
    for (const site of scanImports(file.text)) {
      const target = resolveSpecifier(file.path, site.specifier);
      if (target === null) continue;
      const to = classify(target);
      for (const rule of rules) {
        if (rule.forbids(to, from)) out.push({ file: file.path, line: site.line, target, rule });
      }
    }
  }
  return out.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

/** `file:line imports target (rule)`. */
export function formatViolation(v: Violation): string {
  return `${v.file}:${v.line} imports ${v.target} (${v.rule.id}: ${v.rule.says})`;
}
