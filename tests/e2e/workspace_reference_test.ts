/**
 * The root POST /workspace-actions with the reference frontend's action bodies, answered in its
 * shapes, running the same code as the REST routes.
 */
import { assertEquals, assertOk } from "../support/assert.ts";
import { createTestUser, withDb } from "../support/stack.ts";
import { cleanupWorkspace, makeAsset, makeJob, objectNames, wa } from "../support/workspace.ts";

type Row = Record<string, unknown>;

Deno.test("reference actions: save_to_library, clear_asset, discard_asset, copy_to_workspace", async () => {
  await withDb(async (sql) => {
    const user = await createTestUser(sql);
    try {
      const a = await makeAsset(sql, user);
      const saved = await wa(user, "POST", "", {
        action: "save_to_library",
        assetId: a.id,
        customTitle: "Kept",
        tags: ["x"],
      });
      assertEquals(saved.status, 200, JSON.stringify(saved.body));
      assertEquals(saved.body, {
        success: true,
        libraryAssetId: saved.body.libraryAssetId,
        message: "Asset saved to library",
      });
      const again = await wa(user, "POST", "", { action: "save_to_library", assetId: a.id });
      assertEquals(again.body.libraryAssetId, saved.body.libraryAssetId, "no second item");
      const b = await makeAsset(sql, user);
      const cleared = await wa(user, "POST", "", { action: "clear_asset", assetId: b.id });
      assertEquals([cleared.status, cleared.body.success, cleared.body.message], [
        200,
        true,
        "Asset cleared from workspace",
      ]);
      assertOk(cleared.body.libraryAssetId, "saved before clearing");
      assertEquals((await sql`select 1 from public.workspace_assets where id = ${b.id}`).length, 0);
      const discard = await wa(user, "POST", "", { action: "discard_asset", assetId: a.id });
      assertEquals(discard.body, { success: true, message: "Asset discarded" });
      const twice = await wa(user, "POST", "", { action: "discard_asset", assetId: a.id });
      assertEquals(twice.body, { success: true, message: "Asset already removed" });
      const copy = await wa(user, "POST", "", {
        action: "copy_to_workspace",
        libraryAssetId: saved.body.libraryAssetId,
      });
      assertEquals([copy.status, copy.body.success, copy.body.message], [
        200,
        true,
        "Asset copied to workspace",
      ]);
      const [row] = await sql`select job_id from public.workspace_assets
        where id = ${copy.body.workspaceAssetId as string}`;
      assertEquals(row.job_id, null, "no synthetic job");
      const copyAgain = await wa(user, "POST", "", {
        action: "copy_to_workspace",
        libraryAssetId: saved.body.libraryAssetId,
      });
      assertEquals([copyAgain.body.workspaceAssetId, copyAgain.body.message], [
        copy.body.workspaceAssetId,
        "Asset already exists in workspace",
      ]);
    } finally {
      await cleanupWorkspace(sql, user);
    }
  });
});

Deno.test("reference actions: clear_job and clear_workspace answer {success, assetsProcessed, newSaves}", async () => {
  await withDb(async (sql) => {
    const user = await createTestUser(sql);
    try {
      const job = await makeJob(sql, user);
      await makeAsset(sql, user, { jobId: job, index: 0 });
      await makeAsset(sql, user, { jobId: job, index: 1 });
      const other = await makeAsset(sql, user);
      const clearJob = await wa(user, "POST", "", { action: "clear_job", jobId: job });
      assertEquals(clearJob.body, {
        success: true,
        assetsProcessed: 2,
        newSaves: 2,
        message: "Job cleared: 2 assets processed",
      });
      const none = await wa(user, "POST", "", { action: "clear_job", jobId: job });
      assertEquals(none.status, 404);
      await wa(user, "POST", `/assets/${other.id}/save`);
      const clearAll = await wa(user, "POST", "", { action: "clear_workspace" });
      assertEquals(clearAll.body, {
        success: true,
        assetsProcessed: 1,
        newSaves: 0,
        message: "Workspace cleared: 1 assets processed",
      });
      assertEquals(await objectNames(sql, "workspace-temp", `${user.id}/`), []);
      assertEquals((await objectNames(sql, "user-library", `${user.id}/`)).length, 3);
      const empty = await wa(user, "POST", "", { action: "clear_workspace" });
      assertEquals([empty.body.assetsProcessed, empty.body.message], [0, "No assets to clear"]);
    } finally {
      await cleanupWorkspace(sql, user);
    }
  });
});

Deno.test("reference actions: an unknown action, a missing id or another user's asset is refused", async () => {
  await withDb(async (sql) => {
    const [user, other] = [await createTestUser(sql), await createTestUser(sql)];
    try {
      const theirs = await makeAsset(sql, other);
      const cases: [unknown, number, string | null][] = [
        [{ action: "delete_everything" }, 400, "action"],
        [{ action: "save_to_library" }, 400, "assetId"],
        [{ action: "save_to_library", assetId: "x" }, 400, "assetId"],
        [{ action: "save_to_library", assetId: theirs.id }, 404, null],
        [{ action: "copy_to_workspace", libraryAssetId: crypto.randomUUID() }, 404, null],
        [{ action: "discard_asset", assetId: theirs.id }, 404, null],
        [{ action: "clear_job", jobId: crypto.randomUUID() }, 404, null],
        [{ action: "clear_workspace", extra: 1 }, 400, "extra"],
        [{ assetId: theirs.id }, 400, "action"],
      ];
      for (const [body, status, field] of cases) {
        const res = await wa(user, "POST", "", body);
        assertEquals(res.status, status, JSON.stringify([body, res.body]));
        if (field) {
          const details = (res.body.error as { details?: { field: string }[] }).details ?? [];
          assertOk(details.some((d) => d.field === field), JSON.stringify(res.body));
        }
      }
      assertEquals(await objectNames(sql, "workspace-temp", `${other.id}/`), [theirs.path]);
      assertEquals((await wa(null, "POST", "", { action: "clear_workspace" })).status, 401);
    } finally {
      await cleanupWorkspace(sql, user, other);
    }
  });
});
