import { assertEquals, assertOk } from "../support/assert.ts";
import {
  callFn,
  cleanup,
  createFundedUser,
  createSimModel,
  createSimProvider,
  waitForJob,
} from "../support/jobs.ts";
import { withDb } from "../support/stack.ts";

type Body = Record<string, unknown>;
const err = (b: Body) =>
  b.error as { code: string; message: string; details?: { field: string }[] };

Deno.test("every validation rule answers 400 naming the field and writes nothing", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 100);
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id);
      const base = { prompt: "ok", model_id: model.id };
      const cases: [Body | string, string][] = [
        [{ ...base, prompt: "   " }, "prompt"],
        [{ ...base, prompt: "x".repeat(4001) }, "prompt"],
        [{ model_id: model.id }, "prompt"],
        [{ ...base, modality: "audio" }, "modality"],
        [{ ...base, quality: "ultra" }, "quality"],
        [{ ...base, num_images: 0 }, "num_images"],
        [{ ...base, num_images: 5 }, "num_images"],
        [{ ...base, width: 512 }, "height"],
        [{ ...base, width: 512, height: 512, aspect_ratio: "1:1" }, "aspect_ratio"],
        [{ ...base, aspect_ratio: "wide" }, "aspect_ratio"],
        [{ ...base, aspect_ratio: "4:3" }, "aspect_ratio"],
        [{ ...base, width: 4096, height: 4096 }, "width"],
        [{ ...base, seed: -1 }, "seed"],
        [{ ...base, seed: 1.5 }, "seed"],
        [{ ...base, reference_strength: 0.5 }, "reference_strength"],
        [{ ...base, reference_image: "http://127.0.0.1/x.png" }, "reference_image"],
        [{ ...base, reference_image: "https://evil.example/x.png" }, "reference_image"],
        [
          { ...base, reference_image: "https://127.0.0.1/functions/v1/queue-job/dispatch" },
          "reference_image",
        ],
        [{
          ...base,
          reference_image: { bucket: "reference_images", path: `${user.id}/missing.png` },
        }, "reference_image"],
        [
          { ...base, reference_strength: 2, reference_image: "https://127.0.0.1/x.png" },
          "reference_strength",
        ],
        [{ ...base, content_mode: "spicy" }, "content_mode"],
        [{ ...base, destination: "elsewhere" }, "destination"],
        [{ ...base, project_id: crypto.randomUUID() }, "project_id"],
        [{ ...base, project_id: "nope" }, "project_id"],
        [{ ...base, metadata: { pad: "x".repeat(9000) } }, "metadata"],
        [{ ...base, metadata: [] }, "metadata"],
        [{ ...base, model_key: "a/b" }, "model_key"],
        [{ prompt: "ok", model_id: crypto.randomUUID() }, "model_id"],
        [{ prompt: "ok", model_key: "no/such-model" }, "model_key"],
        [{ ...base, enhance: true }, "enhance"],
        [{ ...base, user_id: crypto.randomUUID() }, "user_id"],
        [{ ...base, job_type: "sdxl_image_fast!" }, "job_type"],
        ["[1,2]", "body"],
      ];
      for (const [body, field] of cases) {
        const res = await callFn(user, "POST", "/queue-job", body);
        assertEquals(res.status, 400, `${field}: ${JSON.stringify(res.body)}`);
        assertEquals(err(res.body).code, "BAD_REQUEST");
        assertEquals(
          err(res.body).details?.some((d) => d.field.includes(field)) ??
            err(res.body).message.includes(field),
          true,
          `${field} named: ${JSON.stringify(res.body)}`,
        );
      }
      const malformed = await callFn(user, "POST", "/queue-job", "{not json");
      assertEquals(malformed.status, 400);
      const badKey = await callFn(user, "POST", "/queue-job", base, {
        "idempotency-key": "has space",
      });
      assertEquals(badKey.status, 400);
      const [{ n }] =
        await sql`select count(*)::int as n from public.jobs where user_id = ${user.id}`;
      assertEquals(n, 0, "no job was written");
      const [{ balance }] =
        await sql`select token_balance as balance from public.profiles where id = ${user.id}`;
      assertEquals(balance, 100, "no credit moved");
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
});

Deno.test("idempotency: replay, conflict, and a 402 keeps the key usable", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 2);
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id);
      const key = { "idempotency-key": `k-${crypto.randomUUID()}` };
      const expensive = await callFn(user, "POST", "/queue-job", {
        prompt: "p",
        model_id: model.id,
        num_images: 3,
      }, key);
      assertEquals(expensive.status, 402);
      assertEquals(err(expensive.body).code, "INSUFFICIENT_CREDITS");
      const first = await callFn(
        user,
        "POST",
        "/queue-job",
        { prompt: "p", model_id: model.id },
        key,
      );
      assertEquals(first.status, 202, "the key is still usable after a 402");
      const replay = await callFn(
        user,
        "POST",
        "/queue-job",
        { model_id: model.id, prompt: "p" },
        key,
      );
      assertEquals(replay.status, 202);
      assertEquals(
        (replay.body.job as Body).id,
        (first.body.job as Body).id,
        "same key and body → the first job",
      );
      const other = await callFn(
        user,
        "POST",
        "/queue-job",
        { prompt: "q", model_id: model.id },
        key,
      );
      assertEquals(other.status, 409);
      const [{ n, balance }] = await sql`select count(*)::int as n, min(p.token_balance) as balance
        from public.jobs j join public.profiles p on p.id = j.user_id where j.user_id = ${user.id}`;
      assertEquals([n, balance], [1, 1], "one job, charged once");
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
});

Deno.test("concurrent requests never overdraw: 50 requests from a user who can afford 10 make 10 jobs", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 10);
    const provider = await createSimProvider(sql);
    const [{ config }] = await sql`select config from public.system_config where id = 1`;
    try {
      await sql`update public.system_config set config = config || '{"max_active_jobs_per_user": 100}' where id = 1`;
      const model = await createSimModel(sql, provider.id, { delay_ms: 2000 });
      const results = await Promise.all(
        Array.from(
          { length: 50 },
          (_, i) => callFn(user, "POST", "/queue-job", { prompt: `race ${i}`, model_id: model.id }),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      assertEquals(statuses.filter((s) => s === 202).length, 10, JSON.stringify(statuses));
      assertEquals(statuses.filter((s) => s === 402).length, 40);
      const [{ n, balance }] =
        await sql`select (select count(*)::int from public.jobs where user_id = ${user.id}) as n,
        (select token_balance from public.profiles where id = ${user.id}) as balance`;
      assertEquals([n, balance], [10, 0]);
    } finally {
      await sql`update public.system_config set config = ${sql.json(config)} where id = 1`;
      await cleanup(sql, [user], [provider]);
    }
  });
});

Deno.test("the per-user cap answers 429 with Retry-After", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 100);
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id, { delay_ms: 5000 });
      const [{ cap }] =
        await sql`select (config->>'max_active_jobs_per_user')::int as cap from public.system_config where id = 1`;
      for (let i = 0; i < cap; i++) {
        assertEquals(
          (await callFn(user, "POST", "/queue-job", { prompt: `c${i}`, model_id: model.id }))
            .status,
          202,
        );
      }
      const over = await callFn(user, "POST", "/queue-job", {
        prompt: "one too many",
        model_id: model.id,
      });
      assertEquals(over.status, 429);
      assertEquals(err(over.body).code, "RATE_LIMITED");
      assertOk(Number(over.headers.get("retry-after")) > 0);
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
});

Deno.test("content mode, ownership and cross-user access are decided on the server", async () => {
  await withDb(async (sql) => {
    const alice = await createFundedUser(sql, 100);
    const bob = await createFundedUser(sql, 100);
    const adult = await createFundedUser(sql, 100, { ageVerified: true });
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id);
      const nsfw = await callFn(alice, "POST", "/queue-job", {
        prompt: "p",
        model_id: model.id,
        content_mode: "nsfw",
      });
      assertEquals(nsfw.status, 403, "NSFW needs an age-verified account");
      const adultJob = await callFn(adult, "POST", "/queue-job", {
        prompt: "p",
        model_id: model.id,
        content_mode: "nsfw",
      });
      assertEquals(adultJob.status, 202);
      const otherRef = await callFn(alice, "POST", "/queue-job", {
        prompt: "p",
        model_id: model.id,
        reference_image: { bucket: "workspace-temp", path: `${bob.id}/x/0.png` },
      });
      assertEquals(otherRef.status, 403, "another user's folder");
      const traversal = await callFn(alice, "POST", "/queue-job", {
        prompt: "p",
        model_id: model.id,
        reference_image: { bucket: "workspace-temp", path: `${alice.id}/../${bob.id}/0.png` },
      });
      assertEquals(traversal.status, 403);
      const badBucket = await callFn(alice, "POST", "/queue-job", {
        prompt: "p",
        model_id: model.id,
        reference_image: { bucket: "system_assets", path: `${alice.id}/a.png` },
      });
      assertEquals(badBucket.status, 403);

      const aliceJob = await callFn(alice, "POST", "/queue-job", {
        prompt: "mine",
        model_id: model.id,
      });
      const id = (aliceJob.body.job as Body).id as string;
      await waitForJob(sql, id);
      assertEquals(
        (await callFn(bob, "GET", `/queue-job/jobs/${id}`)).status,
        404,
        "Bob cannot see Alice's job",
      );
      assertEquals(
        (await callFn(bob, "POST", `/queue-job/jobs/${id}/cancel`)).status,
        404,
        "nor cancel it",
      );
      const list = await callFn(bob, "GET", "/queue-job/jobs");
      assertEquals((list.body.jobs as Body[]).some((j) => j.id === id), false);
      const assetsForBob = await sql`select 1 from public.workspace_assets where job_id = ${id}`;
      assertOk(assetsForBob.length > 0, "the assets exist");
      assertEquals((await callFn(null, "GET", `/queue-job/jobs/${id}`)).status, 401);
    } finally {
      await cleanup(sql, [alice, bob, adult], [provider]);
    }
  });
});

Deno.test("the reference frontend's JobRequest body gets the reference answer", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 100);
    const provider = await createSimProvider(sql);
    try {
      const jobType = `sdxl_image_fast_${crypto.randomUUID().slice(0, 6)}`.replace(/-/g, "_");
      const { imageCapabilities } = await import("../support/providers.ts");
      const model = await createSimModel(sql, provider.id, {}, {
        capabilities: imageCapabilities({ legacy_job_types: [jobType] }),
      });
      const res = await callFn(user, "POST", "/queue-job", {
        job_type: jobType,
        prompt: "a red fox",
        quality: "fast",
        format: "image",
        metadata: {
          aspect_ratio: "9:16",
          contentType: "sfw",
          num_images: 2,
          some_frontend_field: true,
        },
        compel_enabled: false,
      });
      assertEquals(res.status, 200, JSON.stringify(res.body));
      assertEquals(Object.keys(res.body).sort(), ["jobId", "message", "queueName", "status"]);
      assertEquals(res.body.status, "queued");
      assertEquals(res.body.queueName, provider.name);
      const [job] =
        await sql`select api_model_id, num_outputs, aspect_ratio, job_type from public.jobs where id = ${res
          .body.jobId as string}`;
      assertEquals([job.api_model_id, job.num_outputs, job.aspect_ratio, job.job_type], [
        model.id,
        2,
        "9:16",
        jobType,
      ]);
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
});

Deno.test("GET /queue-job/jobs pages newest first with a keyset cursor and filters by status", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 100);
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id, { delay_ms: 5000 });
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push(
          ((await callFn(user, "POST", "/queue-job", { prompt: `p${i}`, model_id: model.id })).body
            .job as Body).id as string,
        );
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: Body } = await callFn(
          user,
          "GET",
          `/queue-job/jobs?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
        );
        seen.push(...(page.body.jobs as Body[]).map((j) => j.id as string));
        cursor = page.body.next_cursor as string | null;
      } while (cursor);
      assertEquals(seen, [...ids].reverse());
      const none = await callFn(user, "GET", "/queue-job/jobs?status=completed");
      assertEquals((none.body.jobs as Body[]).length, 0);
      assertEquals((await callFn(user, "GET", "/queue-job/jobs?cursor=garbage")).status, 400);
      assertEquals((await callFn(user, "GET", "/queue-job/jobs?limit=1000")).status, 400);
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
});
