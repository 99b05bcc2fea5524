/**
 * The local stacks' supervisor and gateway when a function process dies: it is restarted with
 * back-off, the gateway answers 503 UNAVAILABLE meanwhile, and a stop restarts nothing. Each
 * test starts its own instance of one function through the same code `npm run dev` and
 * `npm test` use, so the shared test stack is never touched.
 */
import { join } from "node:path";
import { freePort } from "../../scripts/lib/cluster.ts";
import { type FunctionProcesses, startFunctions } from "../../scripts/lib/functions.ts";
import { startGateway } from "../../scripts/lib/gateway.ts";
import { waitFor } from "../../scripts/lib/process.ts";
import {
  DEFAULT_RESTART_POLICY,
  nextRestartDelay,
  type RestartPolicy,
} from "../../scripts/lib/supervisor.ts";
import { assertEquals, assertMatch, assertOk } from "../support/assert.ts";
import { stack } from "../support/stack.ts";

// A light function (health and docs only); its health route still asks the test database.
const NAME = "enhance-prompt";
// Long enough that the gateway is surely asked while the process is gone, short enough for CI.
const POLICY: RestartPolicy = { initialDelayMs: 1_000, maxDelayMs: 5_000, resetAfterMs: 60_000 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One supervised function behind its own gateway; removed (logs too) after `fn`. */
async function withOwnStack(
  fn: (s: { fns: FunctionProcesses; url: string; log: () => Promise<string> }) => Promise<void>,
) {
  const logDir = await Deno.makeTempDir({ prefix: "dev-supervisor-test-" });
  const fns = await startFunctions({
    // Same database as the shared stack (read from the test env), own process and port.
    env: { ...Deno.env.toObject(), SUPABASE_DB_URL: stack.dbUrl },
    names: [NAME],
    output: { kind: "files", dir: logDir },
    restartPolicy: POLICY,
  });
  const port = freePort();
  const gateway = startGateway({
    port,
    functions: fns.ports,
    retryAfterSeconds: fns.retryAfterSeconds,
  });
  try {
    await fn({
      fns,
      url: `http://127.0.0.1:${port}/functions/v1/${NAME}`,
      log: () => Deno.readTextFile(join(logDir, `${NAME}.log`)),
    });
  } finally {
    await fns.stop();
    await gateway.shutdown();
    await Deno.remove(logDir, { recursive: true });
  }
}

/** Waits until the supervisor has seen the process exit and scheduled its restart. */
function restarting(fns: FunctionProcesses): Promise<void> {
  return waitFor(
    "the supervisor to see the exit",
    () => Promise.resolve(fns.status(NAME).state === "restarting"),
    5_000,
  );
}

async function healthStatus(url: string): Promise<number> {
  const res = await fetch(`${url}/health`);
  await res.body?.cancel();
  return res.status;
}

/** True when something accepts connections on the port. */
async function listening(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.close();
    return true;
  } catch {
    return false;
  }
}

Deno.test("restart back-off doubles from 0.5 s up to 30 s and resets after a long run", () => {
  const delays: number[] = [];
  let delay: number | undefined;
  for (let i = 0; i < 9; i++) {
    delay = nextRestartDelay(delay, 1_000, DEFAULT_RESTART_POLICY);
    delays.push(delay);
  }
  assertEquals(delays, [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  assertEquals(nextRestartDelay(30_000, 60_000, DEFAULT_RESTART_POLICY), 500);
});

Deno.test("a killed function is restarted; meanwhile the gateway answers 503 UNAVAILABLE with Retry-After and CORS; a stop restarts nothing", async () => {
  await withOwnStack(async ({ fns, url, log }) => {
    assertEquals(await healthStatus(url), 200);
    const firstPid = fns.status(NAME).pid;
    assertOk(firstPid, "the function runs");
    Deno.kill(firstPid, "SIGKILL");
    await restarting(fns);

    const down = await fetch(`${url}/health`, {
      headers: { origin: "https://app.example", "x-request-id": "supervisor-test-0001" },
    });
    assertEquals(down.status, 503);
    assertEquals(down.headers.get("content-type"), "application/json; charset=utf-8");
    assertEquals(down.headers.get("access-control-allow-origin"), "*");
    assertMatch(down.headers.get("access-control-allow-headers") ?? "", /authorization/);
    assertMatch(down.headers.get("access-control-expose-headers") ?? "", /retry-after/);
    assertEquals(down.headers.get("x-request-id"), "supervisor-test-0001");
    const retryAfter = Number(down.headers.get("retry-after"));
    // The pending 1 s restart plus about a second to boot.
    assertOk(retryAfter >= 1 && retryAfter <= 2, `Retry-After ${retryAfter}`);
    const body = await down.json();
    assertEquals(Object.keys(body), ["error"]);
    assertEquals(body.error.code, "UNAVAILABLE");
    assertEquals(body.error.request_id, "supervisor-test-0001");
    assertMatch(body.error.message, new RegExp(NAME));

    // Without a usable id of its own the caller gets a fresh one, in the body and the header.
    const anon = await fetch(`${url}/docs`, { method: "POST" });
    assertEquals(anon.status, 503);
    const anonBody = await anon.json();
    assertMatch(anonBody.error.request_id, /^[0-9a-f-]{36}$/);
    assertEquals(anon.headers.get("x-request-id"), anonBody.error.request_id);

    // A browser's preflight still passes, so it goes on to read the 503 and its Retry-After.
    const preflight = await fetch(`${url}/health`, {
      method: "OPTIONS",
      headers: { origin: "https://app.example", "access-control-request-method": "GET" },
    });
    await preflight.body?.cancel();
    assertEquals(preflight.status, 204);
    assertEquals(preflight.headers.get("access-control-allow-origin"), "*");

    await waitFor("the function to come back", async () => await healthStatus(url) === 200, 15_000);
    const back = fns.status(NAME);
    assertEquals(back.state, "running");
    assertEquals(back.crashes, 1);
    assertOk(back.pid && back.pid !== firstPid, "a new process");
    const crashLog = await log();
    assertMatch(
      crashLog,
      /enhance-prompt exited unexpectedly \(signal SIGKILL\) after [\d.]+ s; restarting in 1 s \(crash 1\)/,
    );
    assertMatch(crashLog, new RegExp(`enhance-prompt restarted \\(pid ${back.pid}\\)`));

    // An intentional stop (Ctrl-C, end of a test run) ends it for good, and promptly.
    const started = Date.now();
    await fns.stop();
    assertOk(Date.now() - started < 5_000, `stop took ${Date.now() - started} ms`);
    await sleep(POLICY.initialDelayMs + 700);
    assertEquals(fns.status(NAME).state, "stopped");
    assertEquals(fns.status(NAME).pid, undefined);
    assertEquals(await listening(fns.ports[NAME]), false, "nothing serves the port after a stop");
    assertEquals(await healthStatus(url), 503);
    assertEquals((await log()).match(/restarted \(pid/g)?.length, 1, "no restart after the stop");
    assertEquals((await log()).match(/exited unexpectedly/g)?.length, 1, "a stop is not a crash");
  });
});

Deno.test("a stop during the back-off cancels the pending restart and does not wait for it", async () => {
  await withOwnStack(async ({ fns, url, log }) => {
    assertEquals(await healthStatus(url), 200);
    const pid = fns.status(NAME).pid;
    assertOk(pid, "the function runs");
    Deno.kill(pid, "SIGKILL");
    await restarting(fns);
    const started = Date.now();
    await fns.stop();
    const took = Date.now() - started;
    assertOk(took < POLICY.initialDelayMs / 2, `stop took ${took} ms`);
    await sleep(POLICY.initialDelayMs + 700);
    assertEquals(fns.status(NAME).state, "stopped");
    assertEquals(await listening(fns.ports[NAME]), false, "no process was started after the stop");
    assertEquals(/restarted \(pid/.test(await log()), false);
  });
});
