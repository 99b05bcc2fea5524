import { assertEquals } from "../support/assert.ts";
import { cleanup, createFundedUser, createSimModel, createSimProvider } from "../support/jobs.ts";
import { imageCapabilities } from "../support/providers.ts";
import { standardWebhookHeaders } from "../../simulators/standard_webhooks.ts";
import { createTestUser, deleteTestUsers, stack, type TestUser, withDb } from "../support/stack.ts";
import { createTestApp } from "../support/test_app.ts";
import { chunked, outcome, streamed } from "../support/bodies.ts";
import type { Sql } from "../../shared/db/client.ts";

const viaGateway = (path: string) => `${stack.gatewayUrl}/functions/v1${path}`;
// Straight to the function's own port: what the platform's runtime would see without our gateway.
const direct = (fn: string, path: string) =>
  `http://127.0.0.1:${stack.functionPorts[fn]}/${fn}${path}`;

async function jobCount(sql: Sql, user: TestUser): Promise<number> {
  const [{ n }] = await sql`select count(*)::int as n from public.jobs where user_id = ${user.id}`;
  return n;
}

Deno.test("NUL, lone surrogates, deep nesting and __proto__ in a job body answer 400 naming the field and write nothing", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 100);
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id);
      // The reference frontend's body names a job type instead of a model.
      const jobType = `hostile_${crypto.randomUUID().slice(0, 8)}`;
      await createSimModel(sql, provider.id, {}, {
        capabilities: imageCapabilities({ legacy_job_types: [jobType] }),
      });
      const base = `"model_id":"${model.id}"`;
      const json = (o: Record<string, unknown>) => JSON.stringify({ model_id: model.id, ...o });
      const deep = "[".repeat(7000) + "1" + "]".repeat(7000);
      const cases: [string, string | Uint8Array, string][] = [
        ["NUL in prompt", json({ prompt: "a\u0000b" }), "prompt"],
        [
          "NUL in negative_prompt",
          json({ prompt: "ok", negative_prompt: "x\u0000" }),
          "negative_prompt",
        ],
        ["NUL in a metadata key", json({ prompt: "ok", metadata: { "k\u0000": 1 } }), "metadata.k"],
        [
          "NUL in a metadata value",
          json({ prompt: "ok", metadata: { a: { b: "\u0000" } } }),
          "metadata.a.b",
        ],
        ["lone surrogate in prompt", json({ prompt: "ok \ud800" }), "prompt"],
        [
          "lone surrogate in a key",
          json({ prompt: "ok", metadata: { "\udc00k": 1 } }),
          "metadata.",
        ],
        [
          "metadata 7,000 deep",
          `{"prompt":"ok",${base},"metadata":{"a":${deep}}}`,
          "metadata.a.0.0",
        ],
        [
          "a surrogate encoded as UTF-8 bytes",
          new Uint8Array([
            ...new TextEncoder().encode(`{${base},"prompt":"ok `),
            0xed,
            0xa0,
            0x80,
            ...new TextEncoder().encode(`"}`),
          ]),
          "body",
        ],
        ["__proto__ key", `{"prompt":"ok",${base},"__proto__":{"polluted":true}}`, "__proto__"],
        [
          "constructor key",
          `{"prompt":"ok",${base},"constructor":{"prototype":{}}}`,
          "constructor",
        ],
        [
          "NUL in the reference frontend's body",
          JSON.stringify({ job_type: jobType, prompt: "ok", metadata: { a: "\u0000" } }),
          "metadata.a",
        ],
      ];
      // Through the gateway and straight to the function; one table, so a failure shows every case.
      const seen: string[] = [];
      const wanted: string[] = [];
      for (const [what, body, field] of cases) {
        for (const url of [viaGateway("/queue-job"), direct("queue-job", "")]) {
          const res = await fetch(url, {
            method: "POST",
            headers: { authorization: `Bearer ${user.jwt}`, "content-type": "application/json" },
            body,
          });
          seen.push(
            `${what} ${url}: ${await outcome(res, field)}; jobs ${await jobCount(sql, user)}`,
          );
          wanted.push(`${what} ${url}: 400 BAD_REQUEST names ${field}; jobs 0`);
        }
      }
      assertEquals(seen, wanted);
      const [{ balance }] =
        await sql`select token_balance as balance from public.profiles where id = ${user.id}`;
      assertEquals(balance, 100, "no credit moved");
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
});

Deno.test("a streamed body past the cap without Content-Length gets a 413 envelope, not a 500", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 100);
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id);
      const events = async () =>
        (await sql`select count(*)::int as n from public.webhook_events`)[0].n as number;
      const before = await events();
      const targets: [string, string, number, Record<string, string>][] = [
        ["queue-job", "", 64 * 1024, { authorization: `Bearer ${user.jwt}` }],
        ["provider-webhooks", "/replicate", 2 * 1024 * 1024, {}],
        ["provider-webhooks", "/openrouter", 2 * 1024 * 1024, {}],
        // The functions built on the same factory since: each caps its body the same way.
        ["enhance-prompt", "", 2 * 1024 * 1024, { authorization: `Bearer ${user.jwt}` }],
        ["playground-chat", "/conversations", 2 * 1024 * 1024, {
          authorization: `Bearer ${user.jwt}`,
        }],
        ["workspace-actions", "/collections", 2 * 1024 * 1024, {
          authorization: `Bearer ${user.jwt}`,
        }],
        ["system-metrics", "/rollup", 2 * 1024 * 1024, { authorization: `Bearer ${user.jwt}` }],
      ];
      const seen: string[] = [];
      const wanted: string[] = [];
      for (const [fn, path, size, headers] of targets) {
        for (const url of [viaGateway(`/${fn}${path}`), direct(fn, path)]) {
          const res = await fetch(url, {
            method: "POST",
            headers: { ...headers, "content-type": "application/json" },
            body: streamed(size),
          });
          seen.push(`${url}: ${await outcome(res)}`);
          wanted.push(`${url}: 413 PAYLOAD_TOO_LARGE`);
        }
      }
      assertEquals(seen, wanted);
      assertEquals(await jobCount(sql, user), 0, "no job written");
      assertEquals(await events(), before, "no webhook delivery recorded");

      // Under the cap, a streamed body reaches the validators and the handler as usual.
      const small = JSON.stringify({ prompt: "ok", model_id: model.id });
      const res = await fetch(viaGateway("/queue-job"), {
        method: "POST",
        headers: { authorization: `Bearer ${user.jwt}`, "content-type": "application/json" },
        body: chunked(new TextEncoder().encode(small), 10),
      });
      assertEquals(res.status, 202, await res.clone().text());
      await res.body?.cancel();
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
});

Deno.test("a signed webhook whose JSON holds NUL or nests too deep answers 400 and records nothing", async () => {
  await withDb(async (sql) => {
    const provider = await createSimProvider(sql);
    try {
      const secret = Deno.env.get("REPLICATE_WEBHOOK_SECRET")!;
      const events = async () =>
        (await sql`select count(*)::int as n from public.webhook_events`)[0].n as number;
      const before = await events();
      const bodies: [string, string][] = [
        ["NUL in the prediction id", JSON.stringify({ id: "p\u0000", status: "succeeded" })],
        [
          "7,000 deep",
          `{"id":"p1","status":"succeeded","output":${"[".repeat(7000)}${"]".repeat(7000)}}`,
        ],
      ];
      const seen: string[] = [];
      for (const [what, body] of bodies) {
        const signed = await standardWebhookHeaders({
          secret,
          id: `msg_${crypto.randomUUID()}`,
          timestamp: Math.floor(Date.now() / 1000),
          body,
        });
        const res = await fetch(
          viaGateway(`/provider-webhooks/replicate?provider=${provider.name}`),
          {
            method: "POST",
            headers: { "content-type": "application/json", ...signed },
            body,
          },
        );
        seen.push(`${what}: ${await outcome(res)}`);
      }
      assertEquals(seen, bodies.map(([what]) => `${what}: 400 BAD_REQUEST`));
      assertEquals(await events(), before, "no webhook delivery recorded");
    } finally {
      await cleanup(sql, [], [provider]);
    }
  });
});

Deno.test("every app from the shared factory inherits the body rules (in process)", async () => {
  await withDb(async (sql) => {
    const user = await createTestUser(sql);
    try {
      const app = createTestApp({
        db: sql,
        verifier: { jwtSecret: stack.jwtSecret },
        bodyLimitBytes: 1024,
      });
      const post = (body: BodyInit) =>
        app.request("/guarded/notes", {
          method: "POST",
          headers: { authorization: `Bearer ${user.jwt}`, "content-type": "application/json" },
          body,
        });
      const cases: [string, BodyInit, string][] = [
        ["NUL", JSON.stringify({ title: "a\u0000" }), "400 BAD_REQUEST names title"],
        ["lone surrogate", JSON.stringify({ title: "\ud800" }), "400 BAD_REQUEST names title"],
        [
          "__proto__",
          '{"title":"x","__proto__":{"polluted":true}}',
          "400 BAD_REQUEST names __proto__",
        ],
        [
          "deep",
          `{"title":"x","count":${"[".repeat(200)}${"]".repeat(200)}}`,
          "400 BAD_REQUEST names count.0",
        ],
        ["streamed past the cap", streamed(4096, 100), "413 PAYLOAD_TOO_LARGE"],
        [
          "one chunk past the cap (no Content-Length in process)",
          JSON.stringify({ title: "x".repeat(2000) }),
          "413 PAYLOAD_TOO_LARGE",
        ],
      ];
      const seen: string[] = [];
      for (const [what, body, expected] of cases) {
        const field = expected.split(" names ")[1];
        seen.push(`${what}: ${await outcome(await post(body), field)}`);
      }
      assertEquals(seen, cases.map(([what, , expected]) => `${what}: ${expected}`));
      assertEquals(({} as Record<string, unknown>).polluted, undefined, "no prototype polluted");
      assertEquals(
        (await post(streamed(20, 3))).status,
        400,
        "a streamed body is validated as usual",
      );
      const ok = await post(JSON.stringify({ title: "fine" }));
      assertEquals(ok.status, 201);
    } finally {
      await deleteTestUsers(sql, user);
    }
  });
});
