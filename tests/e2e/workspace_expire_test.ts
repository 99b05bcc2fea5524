/**
 * POST /workspace-actions/maintenance/expire: expired workspace assets go, rows and objects, and
 * with them what a failed save left in the library; saved items, unexpired assets and other
 * users' rows stay. Two runs at once share the work without processing any asset twice.
 */
import { assertEquals } from "../support/assert.ts";
import { createTestUser, stack, withDb } from "../support/stack.ts";
import { BUCKETS } from "../../shared/vocabulary.ts";
import { libraryIdFor } from "../../functions/workspace-actions/derived_ids.ts";
import {
  cleanupWorkspace,
  makeAsset,
  objectNames,
  serviceStore,
  wa,
} from "../support/workspace.ts";

const expire = (body: Record<string, unknown> = {}) =>
  fetch(`${stack.gatewayUrl}/functions/v1/workspace-actions/maintenance/expire`, {
    method: "POST",
    headers: { apikey: stack.secretKey, "content-type": "application/json" },
    body: JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, body: await r.json() }));

Deno.test("two expiry runs at once remove every expired asset once, objects included", async () => {
  await withDb(async (sql) => {
    const [user, other] = [await createTestUser(sql), await createTestUser(sql)];
    try {
      const past = new Date(Date.now() - 60_000).toISOString();
      const expired = [];
      for (let i = 0; i < 12; i++) {
        expired.push(
          await makeAsset(sql, i % 3 ? user : other, { expiresAt: past, thumbnail: i === 0 }),
        );
      }
      const live = await makeAsset(sql, user);
      // Saved before it expired: the library copy is the user's and stays.
      const saved = await makeAsset(sql, user);
      const item = (await wa(user, "POST", `/assets/${saved.id}/save`)).body.item as {
        path: string;
      };
      await sql`update public.workspace_assets set expires_at = ${past} where id = ${saved.id}`;
      // A save that copied but never wrote its row: the copy goes with the asset.
      const orphan = expired[1];
      const orphanPath = `${user.id}/${libraryIdFor(orphan.id)}.png`;
      await serviceStore().copy(
        { bucket: BUCKETS.workspace, path: orphan.path },
        { bucket: BUCKETS.library, path: orphanPath },
      );
      const [a, b] = await Promise.all([
        expire({ batch_size: 3 }),
        expire({ batch_size: 3 }),
      ]);
      assertEquals([a.status, b.status], [200, 200], JSON.stringify([a.body, b.body]));
      const mine = [...expired.map((e) => e.id), saved.id];
      assertEquals(
        (await sql`select id from public.workspace_assets where id = any(${mine}::uuid[])`).length,
        0,
      );
      // Other tests' expired rows may have been taken too, never twice.
      assertEquals(a.body.expired + b.body.expired >= mine.length, true);
      assertEquals(await objectNames(sql, BUCKETS.workspace, `${user.id}/`), [live.path]);
      assertEquals(await objectNames(sql, BUCKETS.workspace, `${other.id}/`), []);
      assertEquals(await objectNames(sql, BUCKETS.library, `${user.id}/`), [item.path]);
      const again = await expire();
      assertEquals([again.status, again.body.more], [200, false]);
      assertEquals(
        (await sql`select 1 from public.workspace_assets where id = ${live.id}`).length,
        1,
      );
    } finally {
      await cleanupWorkspace(sql, user, other);
    }
  });
});

Deno.test("expiry is for the service role only and validates its body", async () => {
  await withDb(async (sql) => {
    const user = await createTestUser(sql);
    try {
      assertEquals((await wa(user, "POST", "/maintenance/expire", {})).status, 403);
      assertEquals((await wa(null, "POST", "/maintenance/expire", {})).status, 401);
      assertEquals((await expire({ batch_size: 0 })).status, 400);
      assertEquals((await expire({ batch_size: 5000 })).status, 400);
      assertEquals((await expire({ nope: 1 })).status, 400);
    } finally {
      await cleanupWorkspace(sql, user);
    }
  });
});
