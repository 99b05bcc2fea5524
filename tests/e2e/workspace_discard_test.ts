/**
 * Discarding through the gateway: one asset (row and objects, idempotent), every asset of a job
 * (saved or discarded), and the whole workspace (`/clear`), with counts and per-asset errors;
 * another user's asset or job is a 404 and stays as it was.
 */
import { assertEquals } from "../support/assert.ts";
import { createTestUser, withDb } from "../support/stack.ts";
import { cleanupWorkspace, makeAsset, makeJob, objectNames, wa } from "../support/workspace.ts";

type Row = Record<string, unknown>;

Deno.test("discard removes the row and its objects; a second discard succeeds; another user's is a 404", async () => {
  await withDb(async (sql) => {
    const [user, other] = [await createTestUser(sql), await createTestUser(sql)];
    try {
      const asset = await makeAsset(sql, user, { thumbnail: true });
      const theirs = await makeAsset(sql, other);
      const first = await wa(user, "POST", `/assets/${asset.id}/discard`);
      assertEquals([first.status, first.body], [200, { discarded: true }]);
      assertEquals(
        (await sql`select 1 from public.workspace_assets where id = ${asset.id}`).length,
        0,
      );
      assertEquals(await objectNames(sql, "workspace-temp", `${user.id}/`), []);
      const again = await wa(user, "POST", `/assets/${asset.id}/discard`);
      assertEquals([again.status, again.body], [200, { discarded: false }]);
      const foreign = await wa(user, "POST", `/assets/${theirs.id}/discard`);
      assertEquals(foreign.status, 404);
      assertEquals(await objectNames(sql, "workspace-temp", `${other.id}/`), [theirs.path]);
      assertEquals((await wa(user, "POST", "/assets/123/discard")).status, 400);
    } finally {
      await cleanupWorkspace(sql, user, other);
    }
  });
});

Deno.test("a job's assets are saved, then discarded, with per-asset errors; other jobs untouched", async () => {
  await withDb(async (sql) => {
    const [user, other] = [await createTestUser(sql), await createTestUser(sql)];
    try {
      const job = await makeJob(sql, user);
      await makeAsset(sql, user, { jobId: job, index: 0 });
      await makeAsset(sql, user, { jobId: job, index: 1 });
      // Its object is gone: that asset fails alone, with its id.
      const broken = await makeAsset(sql, user, { jobId: job, index: 2, noObject: true });
      const unrelated = await makeAsset(sql, user);
      const saved = await wa(user, "POST", `/jobs/${job}/save`);
      assertEquals(saved.status, 200, JSON.stringify(saved.body));
      assertEquals([saved.body.saved, saved.body.new_saves, saved.body.discarded], [2, 2, 0]);
      assertEquals((saved.body.errors as Row[]).map((e) => [e.asset_id, e.code]), [
        [broken.id, "CONFLICT"],
      ]);
      assertEquals((await objectNames(sql, "user-library", `${user.id}/`)).length, 2);
      const discarded = await wa(user, "POST", `/jobs/${job}/discard`);
      assertEquals([discarded.status, discarded.body.discarded], [200, 3]);
      const left = await sql`select id from public.workspace_assets where user_id = ${user.id}`;
      assertEquals(left.map((r) => r.id), [unrelated.id]);
      assertEquals(await objectNames(sql, "workspace-temp", `${user.id}/`), [unrelated.path]);
      assertEquals((await objectNames(sql, "user-library", `${user.id}/`)).length, 2, "saved stay");
      const otherJob = await makeJob(sql, other);
      assertEquals((await wa(user, "POST", `/jobs/${otherJob}/save`)).status, 404);
      assertEquals((await wa(user, "POST", `/jobs/${crypto.randomUUID()}/discard`)).status, 404);
      assertEquals((await wa(user, "POST", `/jobs/x/discard`)).status, 400);
    } finally {
      await cleanupWorkspace(sql, user, other);
    }
  });
});

Deno.test("clear empties the caller's workspace, saving first when asked", async () => {
  await withDb(async (sql) => {
    const [user, other] = [await createTestUser(sql), await createTestUser(sql)];
    try {
      const theirs = await makeAsset(sql, other);
      for (let i = 0; i < 3; i++) await makeAsset(sql, user, { thumbnail: i === 0 });
      const saving = await wa(user, "POST", "/clear", { save: true });
      assertEquals(saving.status, 200, JSON.stringify(saving.body));
      assertEquals(
        [
          saving.body.processed,
          saving.body.new_saves,
          saving.body.discarded,
          saving.body.remaining,
        ],
        [3, 3, 3, 0],
      );
      assertEquals(await objectNames(sql, "workspace-temp", `${user.id}/`), []);
      assertEquals((await objectNames(sql, "user-library", `${user.id}/`)).length, 4);
      for (let i = 0; i < 2; i++) await makeAsset(sql, user);
      const plain = await wa(user, "POST", "/clear", { save: false });
      assertEquals([plain.body.processed, plain.body.saved, plain.body.discarded], [2, 0, 2]);
      assertEquals((await objectNames(sql, "user-library", `${user.id}/`)).length, 4);
      assertEquals(await objectNames(sql, "workspace-temp", `${other.id}/`), [theirs.path]);
      const empty = await wa(user, "POST", "/clear", { save: true });
      assertEquals([empty.status, empty.body.processed], [200, 0]);
      assertEquals((await wa(user, "POST", "/clear", {})).status, 400);
      assertEquals((await wa(user, "POST", "/clear", { save: "yes" })).status, 400);
    } finally {
      await cleanupWorkspace(sql, user, other);
    }
  });
});
