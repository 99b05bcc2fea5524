import { assertEquals, assertOk } from "../support/assert.ts";
import {
  callFn,
  cleanup,
  createFundedUser,
  createSimModel,
  createSimProvider,
  waitForJob,
} from "../support/jobs.ts";
import { stack, type TestUser, withDb } from "../support/stack.ts";
import { mintUserJwt } from "../../scripts/lib/local_keys.ts";

type Body = Record<string, unknown>;

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

Deno.test("a valid token for an account without a profile creates nothing and is charged nothing", async () => {
  await withDb(async (sql) => {
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id);
      const ghostId = crypto.randomUUID();
      const ghost = { id: ghostId, jwt: await mintUserJwt(ghostId, { secret: stack.jwtSecret }) };
      const res = await callFn(ghost as unknown as TestUser, "POST", "/queue-job", {
        prompt: "p",
        model_id: model.id,
      });
      assertEquals(res.status, 403);
      assertEquals((res.body.error as Body).code, "FORBIDDEN");
      const [row] =
        await sql`select count(*)::int as n from public.jobs where user_id = ${ghostId}`;
      assertEquals(row.n, 0);
    } finally {
      await cleanup(sql, [], [provider]);
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

Deno.test("a job attaches to the caller's own project only (an admin's too); metadata's reserved keys are dropped", async () => {
  await withDb(async (sql) => {
    const owner = await createFundedUser(sql, 100);
    const admin = await createFundedUser(sql, 100);
    await sql`insert into public.user_roles (user_id, role) values (${admin.id}, 'admin')`;
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id);
      const [project] =
        await sql`insert into public.projects (user_id, title, original_prompt, media_type)
        values (${owner.id}, 'Owner project', 'p', 'image') returning id`;
      const foreign = await callFn(admin, "POST", "/queue-job", {
        prompt: "p",
        model_id: model.id,
        project_id: project.id,
      });
      assertEquals(foreign.status, 400, JSON.stringify(foreign.body));
      const own = await callFn(owner, "POST", "/queue-job", {
        prompt: "p",
        model_id: model.id,
        project_id: project.id,
        // The submission reads reference_strength from the job's metadata: only the validated
        // top-level field may set it.
        metadata: { reference_strength: 0.9, note: "kept" },
      });
      assertEquals(own.status, 202, JSON.stringify(own.body));
      const [job] = await sql`select project_id, metadata from public.jobs
        where id = ${((own.body.job as Body).id) as string}`;
      assertEquals([job.project_id, job.metadata], [project.id, { note: "kept" }]);
    } finally {
      await sql`delete from public.jobs where user_id = any(${[owner.id, admin.id]}::uuid[])`;
      await sql`delete from public.projects where user_id = ${owner.id}`;
      await cleanup(sql, [owner, admin], [provider]);
    }
  });
});
