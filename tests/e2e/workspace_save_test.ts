/**
 * POST /workspace-actions/assets/:id/save through the gateway: the object copied server-side to
 * user-library/{user}/{item}.{ext} with its thumbnail, one item per asset however often and
 * however concurrently it is saved, and every ownership and validation failure a 4xx that
 * changes nothing.
 */
import { assertEquals, assertOk } from "../support/assert.ts";
import {
  callFn,
  cleanup,
  createFundedUser,
  createSimModel,
  createSimProvider,
  waitForJob,
} from "../support/jobs.ts";
import { createTestUser, withDb } from "../support/stack.ts";
import { cleanupWorkspace, makeAsset, objectNames, readObject, wa } from "../support/workspace.ts";

type Row = Record<string, unknown>;

Deno.test("save copies the object and thumbnail into the library once; a second save returns the same item", async () => {
  await withDb(async (sql) => {
    const user = await createTestUser(sql);
    try {
      const asset = await makeAsset(sql, user, { thumbnail: true });
      const created = await wa(user, "POST", "/collections", { name: "Favourites" });
      const collection = (created.body.collection as Row).id as string;
      const first = await wa(user, "POST", `/assets/${asset.id}/save`, {
        collection_id: collection,
        custom_title: "Dusk",
        tags: ["sky", "orange"],
      });
      assertEquals(first.status, 200, JSON.stringify(first.body));
      const item = first.body.item as Row;
      assertEquals(first.body.created, true);
      assertEquals(item.path, `${user.id}/${item.id}.png`);
      assertEquals(item.thumbnail_path, `${user.id}/${item.id}.thumb.webp`);
      assertEquals([item.title, item.tags, item.collection_id, item.source_asset_id], [
        "Dusk",
        ["sky", "orange"],
        collection,
        asset.id,
      ]);
      assertEquals(await readObject("user-library", item.path as string), asset.bytes);
      assertEquals(await objectNames(sql, "user-library", `${user.id}/`), [
        `${user.id}/${item.id}.png`,
        `${user.id}/${item.id}.thumb.webp`,
      ]);
      const again = await wa(user, "POST", `/assets/${asset.id}/save`, { custom_title: "Other" });
      assertEquals([again.status, again.body.created, (again.body.item as Row).id], [
        200,
        false,
        item.id,
      ]);
      assertEquals((again.body.item as Row).title, "Dusk", "the first save's item, unchanged");
      const [c] =
        await sql`select asset_count from public.user_collections where id = ${collection}`;
      assertEquals(c.asset_count, 1);
      assertEquals((await objectNames(sql, "workspace-temp", `${user.id}/`)).length, 2, "kept");
    } finally {
      await cleanupWorkspace(sql, user);
    }
  });
});

Deno.test("ten concurrent saves of one asset make one item and one object", async () => {
  await withDb(async (sql) => {
    const user = await createTestUser(sql);
    try {
      const asset = await makeAsset(sql, user);
      const results = await Promise.all(
        Array.from({ length: 10 }, () => wa(user, "POST", `/assets/${asset.id}/save`)),
      );
      assertEquals(results.map((r) => r.status), Array(10).fill(200));
      const ids = new Set(results.map((r) => (r.body.item as Row).id));
      assertEquals(ids.size, 1);
      assertEquals(results.filter((r) => r.body.created).length, 1);
      const rows = await sql`select id from public.user_library where user_id = ${user.id}`;
      assertEquals(rows.length, 1);
      assertEquals(await objectNames(sql, "user-library", `${user.id}/`), [
        `${user.id}/${rows[0].id}.png`,
      ]);
    } finally {
      await cleanupWorkspace(sql, user);
    }
  });
});

Deno.test("saving another user's asset, a foreign collection or bad input is a 4xx and changes nothing", async () => {
  await withDb(async (sql) => {
    const [user, other] = [await createTestUser(sql), await createTestUser(sql)];
    try {
      const theirs = await makeAsset(sql, other);
      const mine = await makeAsset(sql, user);
      const foreign = await wa(other, "POST", "/collections", { name: "Theirs" });
      const foreignId = (foreign.body.collection as Row).id;
      const cases: [string, unknown, number, string | null][] = [
        [`/assets/${theirs.id}/save`, undefined, 404, null],
        [`/assets/not-a-uuid/save`, undefined, 400, "id"],
        [`/assets/${mine.id}/save`, { collection_id: foreignId }, 404, "collection_id"],
        [
          `/assets/${mine.id}/save`,
          { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) },
          400,
          "tags",
        ],
        [`/assets/${mine.id}/save`, { tags: [""] }, 400, "tags.0"],
        [`/assets/${mine.id}/save`, { custom_title: "a\u0000b" }, 400, "custom_title"],
        [`/assets/${mine.id}/save`, { custom_title: "x".repeat(201) }, 400, "custom_title"],
        [`/assets/${mine.id}/save`, { path: `${other.id}/x.png` }, 400, "path"],
      ];
      for (const [path, body, status, field] of cases) {
        const res = await wa(user, "POST", path, body);
        assertEquals(
          res.status,
          status,
          `${path} ${JSON.stringify(body)}: ${JSON.stringify(res.body)}`,
        );
        const error = res.body.error as { details?: { field: string }[] };
        if (field) assertOk(error.details?.some((d) => d.field === field), JSON.stringify(error));
      }
      const lone = await fetch(
        `${Deno.env.get("TEST_GATEWAY_URL")}/functions/v1/workspace-actions/assets/${mine.id}/save`,
        {
          method: "POST",
          headers: { authorization: `Bearer ${user.jwt}`, "content-type": "application/json" },
          body: '{"custom_title": "\\ud800"}',
        },
      );
      assertEquals(lone.status, 400);
      await lone.body?.cancel();
      assertEquals(
        (await sql`select id from public.user_library where user_id in (${user.id}, ${other.id})`)
          .length,
        0,
      );
      assertEquals(await objectNames(sql, "user-library", `${user.id}/`), []);
      assertEquals(await objectNames(sql, "user-library", `${other.id}/`), []);
    } finally {
      await cleanupWorkspace(sql, user, other);
    }
  });
});

Deno.test("a row of the caller's whose path points into another user's folder is refused", async () => {
  await withDb(async (sql) => {
    const [user, other] = [await createTestUser(sql), await createTestUser(sql)];
    try {
      const victim = await makeAsset(sql, other);
      // The table's CHECK wants the owner's prefix; `..` satisfies it and leaves the folder.
      const planted = await makeAsset(sql, user, { rowPath: `${user.id}/../${victim.path}` });
      const save = await wa(user, "POST", `/assets/${planted.id}/save`);
      assertEquals(save.status, 403, JSON.stringify(save.body));
      assertEquals(
        (save.body.error as { details: { field: string }[] }).details[0].field,
        "temp_storage_path",
      );
      const discard = await wa(user, "POST", `/assets/${planted.id}/discard`);
      assertEquals(discard.status, 403);
      assertEquals(await objectNames(sql, "user-library", `${user.id}/`), []);
      assertEquals(
        await objectNames(sql, "workspace-temp", `${other.id}/`),
        [victim.path],
        "untouched",
      );
      assertEquals(
        (await sql`select 1 from public.workspace_assets where id = ${planted.id}`).length,
        1,
      );
    } finally {
      await cleanupWorkspace(sql, user, other);
    }
  });
});

Deno.test("an asset queue-job stored is saved with its job and index, and the job's assets show both", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 10);
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id);
      const created = await callFn(user, "POST", "/queue-job", {
        prompt: "a lighthouse",
        model_id: model.id,
        num_images: 2,
      });
      const jobId = (created.body.job as Row).id as string;
      assertEquals((await waitForJob(sql, jobId)).status, "completed");
      const listed = await wa(user, "GET", `/assets?job_id=${jobId}`);
      const assets = listed.body.assets as Row[];
      assertEquals(assets.length, 2);
      const saved = await wa(user, "POST", `/jobs/${jobId}/save`);
      assertEquals([saved.status, saved.body.new_saves], [200, 2], JSON.stringify(saved.body));
      const items =
        await sql`select source_job_id, asset_index, storage_path from public.user_library
        where user_id = ${user.id} order by asset_index`;
      assertEquals(items.map((i) => [i.source_job_id, i.asset_index]), [[jobId, 0], [jobId, 1]]);
      const job = await callFn(user, "GET", `/queue-job/jobs/${jobId}`);
      assertEquals((job.body.assets as Row[]).length, 4, "workspace and library rows of the job");
    } finally {
      await cleanupWorkspace(sql, user);
      await cleanup(sql, [], [provider]);
    }
  });
});

Deno.test("saves racing discards leave an item with its object, or neither", async () => {
  await withDb(async (sql) => {
    const user = await createTestUser(sql);
    try {
      for (let i = 0; i < 6; i++) {
        const asset = await makeAsset(sql, user, { thumbnail: i % 2 === 0 });
        const [save, discard] = await Promise.all([
          wa(user, "POST", `/assets/${asset.id}/save`),
          wa(user, "POST", `/assets/${asset.id}/discard`),
        ]);
        assertOk([200, 404, 409].includes(save.status), JSON.stringify(save.body));
        assertEquals(discard.status, 200);
      }
      const items = await sql<{ storage_path: string; thumbnail_path: string | null }[]>`
        select storage_path, thumbnail_path from public.user_library where user_id = ${user.id}`;
      const expected = items.flatMap((
        i,
      ) => [i.storage_path, ...(i.thumbnail_path ? [i.thumbnail_path] : [])]);
      assertEquals(await objectNames(sql, "user-library", `${user.id}/`), expected.sort());
      assertEquals(await objectNames(sql, "workspace-temp", `${user.id}/`), []);
    } finally {
      await cleanupWorkspace(sql, user);
    }
  });
});
