import { join } from "node:path";
import { assertEquals, assertMatch } from "../../tests/support/assert.ts";
import { classify, findViolations, RULES } from "./boundaries.ts";
import { checkBoundaries } from "../check_boundaries.ts";

/** Which rule (or none) one import from `from` of `specifier` breaks. */
function ruleFor(from: string, specifier: string): string[] {
  const text = `import { x } from "${specifier}";\n`;
  return findViolations([{ path: from, text }]).map((v) => v.rule.id);
}

// [importing file, specifier, rules it breaks]: for every rule at least one import that breaks
// it and one close to it that is legal.
const CASES: [string, string, string[]][] = [
  // functions-isolated
  ["functions/queue-job/app.ts", "../enhance-prompt/app.ts", ["functions-isolated"]],
  ["functions/queue-job/app_test.ts", "../playground-chat/app.ts", ["functions-isolated"]],
  ["functions/queue-job/app.ts", "./cursor.ts", []],
  ["functions/queue-job/app.ts", "../../shared/http/create_app.ts", []],
  // shared-not-functions
  ["shared/http/create_app.ts", "../../functions/queue-job/app.ts", ["shared-not-functions"]],
  ["shared/config.ts", "../functions/queue-job/cursor.ts", ["shared-not-functions"]],
  ["shared/http/create_app.ts", "../config.ts", []],
  // domain-not-http (shared/function_deps.ts is HTTP wiring)
  ["shared/media/sniff.ts", "../http/cors.ts", ["domain-not-http"]],
  ["shared/jobs/build_job_deps.ts", "../function_deps.ts", ["domain-not-http"]],
  ["shared/db/client.ts", "../http/auth/guards.ts", ["domain-not-http"]],
  ["shared/providers/registry.ts", "../http/error_envelope.ts", ["domain-not-http"]],
  ["shared/storage/object_store.ts", "../http/context.ts", ["domain-not-http"]],
  ["shared/jobs/submit.ts", "../db/client.ts", []],
  ["shared/jobs/submit.ts", "../log.ts", []],
  ["shared/http/health.ts", "../db/client.ts", []],
  ["shared/function_deps.ts", "./http/create_app.ts", []],
  // product-not-tooling (test files may use the harness and the simulators)
  ["shared/db/client.ts", "../../tests/support/assert.ts", ["product-not-tooling"]],
  ["functions/queue-job/app.ts", "../../simulators/replicate_sim.ts", ["product-not-tooling"]],
  ["shared/config.ts", "../scripts/lib/local_keys.ts", ["product-not-tooling"]],
  ["functions/queue-job/index.ts", "../../bench/lib/stats.ts", ["product-not-tooling"]],
  ["shared/db/client_test.ts", "../../tests/integration/gateway_test.ts", [
    "product-not-tooling",
  ]],
  ["shared/http/auth/jwt_verifier_test.ts", "../../../scripts/lib/local_keys.ts", [
    "product-not-tooling",
  ]],
  ["shared/db/client_test.ts", "../../tests/support/assert.ts", []],
  ["shared/jobs/outputs_test.ts", "../../simulators/media.ts", []],
  ["functions/queue-job/cursor_test.ts", "../../tests/support/stack.ts", []],
  // scripts-not-tests
  ["scripts/lib/provider_stack.ts", "../../tests/support/simulators/replicate_sim.ts", [
    "scripts-not-tests",
  ]],
  ["scripts/bench.ts", "../bench/run.ts", ["scripts-not-tests"]],
  ["scripts/lib/provider_stack.ts", "../../simulators/replicate_sim.ts", []],
  ["scripts/run_tests.ts", "../shared/http/cors.ts", []],
  ["scripts/lib/boundaries_test.ts", "../../tests/support/assert.ts", []],
  // simulators-only-shared
  ["simulators/replicate_sim.ts", "../scripts/lib/process.ts", ["simulators-only-shared"]],
  ["simulators/replicate_sim.ts", "../tests/support/stack.ts", ["simulators-only-shared"]],
  ["simulators/replicate_sim.ts", "../functions/queue-job/app.ts", ["simulators-only-shared"]],
  ["simulators/replicate_sim.ts", "../shared/media/sniff.ts", []],
  ["simulators/replicate_sim.ts", "./sim_server.ts", []],
  ["simulators/replicate_sim_test.ts", "../tests/support/assert.ts", []],
  // unconstrained areas, and packages
  ["tests/e2e/flow_test.ts", "../../functions/queue-job/app.ts", []],
  ["tests/support/stack.ts", "../../scripts/lib/local_keys.ts", []],
  ["bench/run.ts", "../scripts/lib/process.ts", []],
  ["shared/db/client.ts", "npm:postgres@3.4.9", []],
  ["shared/jobs/submit.ts", "hono", []],
];

Deno.test("each boundary rule fires on a violating import and passes a legal one", () => {
  for (const [from, specifier, expected] of CASES) {
    assertEquals(ruleFor(from, specifier), expected, `${from} -> ${specifier}`);
  }
  // A rule added without fixtures fails here.
  const fired = new Set(CASES.flatMap(([, , rules]) => rules));
  assertEquals(RULES.map((r) => r.id).filter((id) => !fired.has(id)), []);
});

Deno.test("classify puts HTTP wiring in the http layer and test files apart", () => {
  assertEquals(classify("shared/function_deps.ts").layer, "http");
  assertEquals(classify("shared/config.ts").layer, "root");
  assertEquals(classify("shared/db/tables/system_config.ts").layer, "db");
  assertEquals(classify("functions/queue-job/app.ts").fn, "queue-job");
  assertEquals(classify("shared/media/sniff_test.ts").isTest, true);
  assertEquals(classify("supabase/functions/x.ts").area, "other");
});

Deno.test("violations carry the importing line; dynamic and type imports count", () => {
  const text = [
    `import { ok } from "../db/client.ts";`,
    `import type { AppDeps } from "../function_deps.ts";`,
    `const cors = await import("../http/cors.ts");`,
  ].join("\n");
  assertEquals(
    findViolations([{ path: "shared/jobs/x.ts", text }]).map((v) => [v.line, v.target]),
    [[2, "shared/function_deps.ts"], [3, "shared/http/cors.ts"]],
  );
});

async function writeTree(root: string, files: Record<string, string>) {
  for (const [path, text] of Object.entries(files)) {
    await Deno.mkdir(join(root, path, ".."), { recursive: true });
    await Deno.writeTextFile(join(root, path), text);
  }
}

Deno.test("checkBoundaries splits known violations from new ones and reports stale entries", async () => {
  const root = await Deno.makeTempDir();
  try {
    // No simulators/ folder: a folder that does not exist yet is simply empty.
    await writeTree(root, {
      "shared/jobs/build.ts": `import type { D } from "../function_deps.ts";\n`,
      "shared/function_deps.ts": `import { c } from "./http/create_app.ts";\n`,
      "shared/media/sniff.ts": `\nimport { cors } from "../http/cors.ts";\n`,
      "shared/http/cors.ts": `export const cors = 1;\n`,
      "shared/node_modules/pkg/x.ts": `import "../../../functions/a/app.ts";\n`,
    });
    const report = await checkBoundaries(root, [
      { file: "shared/jobs/build.ts", target: "shared/function_deps.ts", why: "refactor" },
      { file: "shared/db/gone.ts", target: "shared/http/cors.ts", why: "already fixed" },
    ]);
    assertEquals(report.files, 4);
    assertEquals(
      report.violations.map((v) => `${v.file}:${v.line} ${v.target} ${v.rule.id}`),
      ["shared/media/sniff.ts:2 shared/http/cors.ts domain-not-http"],
    );
    assertEquals(report.known.map((k) => k.violation.file), ["shared/jobs/build.ts"]);
    assertEquals(report.stale.map((k) => k.file), ["shared/db/gone.ts"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("the CLI prints file:line imports target (rule) and exits 1 on a violation", async () => {
  const root = await Deno.makeTempDir();
  const cli = new URL("../check_boundaries.ts", import.meta.url).pathname;
  const runCli = async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", cli, "--root", root],
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { code: out.code, text: new TextDecoder().decode(out.stdout) };
  };
  try {
    await writeTree(root, {
      "shared/media/inspect.ts": `import { a } from "../db/client.ts";\n`,
      "functions/a/app.ts": `import { b } from "../../shared/media/inspect.ts";\n`,
    });
    const clean = await runCli();
    assertEquals(clean.code, 0, clean.text);
    await writeTree(root, {
      "functions/a/app.ts": `import { b } from "../b/app.ts";\n`,
    });
    const dirty = await runCli();
    assertEquals(dirty.code, 1);
    assertMatch(
      dirty.text,
      /^functions\/a\/app\.ts:1 imports functions\/b\/app\.ts \(functions-isolated: /m,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
