/**
 * Fixtures for end-to-end job tests: a provider row pointing at the Replicate simulator the
 * test stack started, models with per-test behaviour, users with credits, and HTTP helpers for
 * the gateway.
 */
import type { Sql } from "../../shared/db/client.ts";
import type { ProviderRow } from "../../shared/providers/provider_config.ts";
import type { ModelRow } from "../../shared/providers/registry.ts";
import { createTestModel, createTestProvider, videoCapabilities } from "./providers.ts";
import { createTestUser, stack, type TestUser } from "./stack.ts";

function env(name: string): string {
  const value = Deno.env.get(name);
  if (!value) throw new Error(`${name} is not set: run the tests with \`npm test\``);
  return value;
}

/** A simulator scenario encoded into a model version (`sim:<base64url JSON>`). */
export function simVersion(scenario: Record<string, unknown>): string {
  const b64 = btoa(JSON.stringify(scenario)).replace(/\+/g, "-").replace(/\//g, "_").replace(
    /=+$/,
    "",
  );
  return `sim:${b64}`;
}

/** A provider on the Replicate simulator, using the secrets the functions were started with. */
export function createSimProvider(
  sql: Sql,
  overrides: Partial<ProviderRow> = {},
): Promise<ProviderRow> {
  return createTestProvider(sql, {
    adapter: "replicate",
    base_url: env("REPLICATE_BASE_URL"),
    secret_name: "REPLICATE_API_TOKEN",
    webhook_secret_name: "REPLICATE_WEBHOOK_SECRET",
    allowed_output_hosts: env("SIM_OUTPUT_HOSTS").split(","),
    ...overrides,
  });
}

/** An image model on a provider whose simulator behaviour is `scenario`. */
export function createSimModel(
  sql: Sql,
  providerId: string,
  scenario: Record<string, unknown> = {},
  overrides: Partial<ModelRow> = {},
): Promise<ModelRow> {
  return createTestModel(sql, providerId, {
    version: simVersion({ delay_ms: 30, ...scenario }),
    ...overrides,
  });
}

/** A video model on the simulator. */
export function createSimVideoModel(
  sql: Sql,
  providerId: string,
  scenario: Record<string, unknown> = {},
): Promise<ModelRow> {
  return createTestModel(sql, providerId, {
    modality: "video",
    version: simVersion({ delay_ms: 30, media: "video", ...scenario }),
    capabilities: videoCapabilities(),
  });
}

/** A user with a given balance. */
export async function createFundedUser(
  sql: Sql,
  credits: number,
  opts: { ageVerified?: boolean } = {},
): Promise<TestUser> {
  const user = await createTestUser(sql);
  await sql`update public.profiles set token_balance = ${credits}, age_verified = ${
    opts.ageVerified ?? false
  } where id = ${user.id}`;
  return user;
}

/** Calls a function through the gateway as the user. */
export async function callFn(
  user: TestUser | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${stack.gatewayUrl}/functions/v1${path}`, {
    method,
    headers: {
      ...(user ? { authorization: `Bearer ${user.jwt}` } : {}),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {}, headers: res.headers };
}

/** Runs one dispatcher round as the scheduler would (service role). */
export async function dispatch(
  opts: Record<string, unknown> = {},
): Promise<Record<string, number>> {
  const res = await fetch(`${stack.gatewayUrl}/functions/v1/queue-job/dispatch`, {
    method: "POST",
    headers: { apikey: stack.secretKey, "content-type": "application/json" },
    body: JSON.stringify(opts),
  });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`dispatch failed: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** Polls a job (driving dispatch) until it reaches one of `states`. */
export async function waitForJob(
  sql: Sql,
  jobId: string,
  states: string[] = ["completed", "failed", "cancelled"],
  timeoutMs = 20_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [job] = await sql`select * from public.jobs where id = ${jobId}`;
    if (job && states.includes(job.status)) return job;
    if (job?.status === "queued") await dispatch({ limit: 50 });
    await new Promise((r) => setTimeout(r, 100));
  }
  const [job] =
    await sql`select status, error_code, error_message, attempts from public.jobs where id = ${jobId}`;
  throw new Error(`job ${jobId} did not reach ${states.join("/")}: ${JSON.stringify(job)}`);
}

/** Removes users, providers and whatever their jobs stored. */
export async function cleanup(
  sql: Sql,
  users: TestUser[],
  providers: ProviderRow[],
): Promise<void> {
  // A dispatch run the test started may still be writing these users' jobs: a cascade delete
  // can then deadlock with it, and is simply tried again.
  for (let attempt = 0;; attempt++) {
    try {
      if (users.length) {
        await sql`delete from auth.users where id = any(${users.map((u) => u.id)}::uuid[])`;
      }
      if (providers.length) {
        await sql`delete from public.api_providers where id = any(${
          providers.map((p) => p.id)
        }::uuid[])`;
      }
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== "40P01" || attempt >= 4) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** The job of a `POST /queue-job` answer (our body's shape). */
export function jobOf(res: { body: Record<string, unknown> }): Record<string, unknown> {
  return res.body.job as Record<string, unknown>;
}
