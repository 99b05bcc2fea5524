/**
 * The library and collections through the gateway: filtered pages with signed URLs, edits,
 * deletion (row and objects), copy back to the workspace (no job, the same asset while it
 * exists), and collection counts that stay exact through moves and deletes.
 */
import { assertEquals, assertOk } from "../support/assert.ts";
import { createTestUser, type TestUser, withDb } from "../support/stack.ts";
import type { Sql } from "../../shared/db/client.ts";
import { cleanupWorkspace, makeAsset, objectNames, readObject, wa } from "../support/workspace.ts";

type Row = Record<string, unknown>;

async function savedItem(sql: Sql, user: TestUser, body: Record<string, unknown> = {}) {
  const asset = await makeAsset(sql, user, { thumbnail: true });
  const res = await wa(user, "POST", `/assets/${asset.id}/save`, body);
  assertEquals(res.status, 200, JSON.stringify(res.body));
  return { asset, item: res.body.item as Row };
}

async function counts(sql: Sql, user: TestUser): Promise<Record<string, number>> {
  const rows = await sql`select name, asset_count from public.user_collections
    where user_id = ${user.id}`;
  return Object.fromEntries(rows.map((r) => [r.name, r.asset_count]));
}

Deno.test("library pages filter by collection, tag, favourite and type, with signed URLs", async () => {
  await withDb(async (sql) => {
    const user = await createTestUser(sql);
    try {
      const c = (await wa(user, "POST", "/collections", { name: "Sky" })).body.collection as Row;
      const one = await savedItem(sql, user, { collection_id: c.id, tags: ["blue"] });
      const two = await savedItem(sql, user, { tags: ["red"] });
      const three = await savedItem(sql, user);
      await wa(user, "PATCH", `/library/${three.item.id}`, { is_favorite: true });
      const ids = async (query: string) =>
        ((await wa(user, "GET", `/library${query}`)).body.items as Row[]).map((i) => i.id);
      assertEquals(await ids(""), [three.item.id, two.item.id, one.item.id]);
      assertEquals(await ids(`?collection_id=${c.id}`), [one.item.id]);
      assertEquals(await ids("?tag=red"), [two.item.id]);
      assertEquals(await ids("?favorite=true"), [three.item.id]);
      assertEquals(await ids("?type=video"), []);
      const page = await wa(user, "GET", "/library?limit=2");
      assertEquals((page.body.items as Row[]).length, 2);
      const next = await wa(user, "GET", `/library?limit=2&cursor=${page.body.next_cursor}`);
      assertEquals([(next.body.items as Row[])[0].id, next.body.next_cursor], [one.item.id, null]);
      const first = (page.body.items as Row[])[0];
      const res = await fetch(first.url as string);
      assertEquals(new Uint8Array(await res.arrayBuffer()), three.asset.bytes);
      assertOk(first.thumbnail_url, "thumbnail signed too");
      for (
        const bad of [
          "?tag=%00",
          "?favorite=maybe",
          "?type=audio",
          "?cursor=nope",
          "?limit=0",
          "?collection_id=1",
        ]
      ) {
        const r = await wa(user, "GET", `/library${bad}`);
        assertEquals(r.status, 400, bad);
      }
    } finally {
      await cleanupWorkspace(sql, user);
    }
  });
});

Deno.test("edits change only the caller's items, and only to the caller's collections", async () => {
  await withDb(async (sql) => {
    const [user, other] = [await createTestUser(sql), await createTestUser(sql)];
    try {
      const { item } = await savedItem(sql, user);
      const theirs = await savedItem(sql, other);
      const foreign = (await wa(other, "POST", "/collections", { name: "Theirs" })).body
        .collection as Row;
      const ok = await wa(user, "PATCH", `/library/${item.id}`, {
        custom_title: "New",
        tags: ["a"],
        visibility: "unlisted",
      });
      assertEquals(ok.status, 200);
      assertEquals([(ok.body.item as Row).title, (ok.body.item as Row).visibility], [
        "New",
        "unlisted",
      ]);
      const cases: [string, unknown, number][] = [
        [`/library/${theirs.item.id}`, { custom_title: "Mine" }, 404],
        [`/library/${item.id}`, { collection_id: foreign.id }, 404],
        [`/library/${item.id}`, {}, 400],
        [`/library/${item.id}`, { storage_path: "x" }, 400],
        [`/library/${item.id}`, { visibility: "everyone" }, 400],
        [`/library/${item.id}`, { tags: Array(51).fill("t") }, 400],
        [`/library/not-a-uuid`, { is_favorite: true }, 400],
      ];
      for (const [path, body, status] of cases) {
        assertEquals((await wa(user, "PATCH", path, body)).status, status, JSON.stringify(body));
      }
      const [row] = await sql`select custom_title from public.user_library where id = ${theirs.item
        .id as string}`;
      assertEquals(row.custom_title, null);
    } finally {
      await cleanupWorkspace(sql, user, other);
    }
  });
});

Deno.test("deleting an item removes its row and objects; another user's is a 404", async () => {
  await withDb(async (sql) => {
    const [user, other] = [await createTestUser(sql), await createTestUser(sql)];
    try {
      const { item } = await savedItem(sql, user);
      const theirs = await savedItem(sql, other);
      assertEquals((await wa(user, "DELETE", `/library/${theirs.item.id}`)).status, 404);
      assertEquals((await objectNames(sql, "user-library", `${other.id}/`)).length, 2);
      const gone = await wa(user, "DELETE", `/library/${item.id}`);
      assertEquals([gone.status, gone.body], [200, { deleted: true }]);
      assertEquals(await objectNames(sql, "user-library", `${user.id}/`), []);
      assertEquals((await wa(user, "DELETE", `/library/${item.id}`)).status, 404);
    } finally {
      await cleanupWorkspace(sql, user, other);
    }
  });
});

Deno.test("copy to workspace makes a job-less asset once; discarded, it can be copied again; saving it returns the item", async () => {
  await withDb(async (sql) => {
    const [user, other] = [await createTestUser(sql), await createTestUser(sql)];
    try {
      const { asset, item } = await savedItem(sql, user);
      await wa(user, "POST", `/assets/${asset.id}/discard`);
      const copied = await wa(user, "POST", `/library/${item.id}/copy-to-workspace`);
      assertEquals(copied.status, 200, JSON.stringify(copied.body));
      const copy = copied.body.asset as Row;
      assertEquals([copied.body.created, copy.job_id, copy.source_library_id], [
        true,
        null,
        item.id,
      ]);
      assertEquals(copy.path, `${user.id}/${copy.id}.png`);
      assertEquals(await readObject("workspace-temp", copy.path as string), asset.bytes);
      const again = await wa(user, "POST", `/library/${item.id}/copy-to-workspace`);
      assertEquals([again.body.created, (again.body.asset as Row).id], [false, copy.id]);
      const resave = await wa(user, "POST", `/assets/${copy.id}/save`);
      assertEquals([resave.body.created, (resave.body.item as Row).id], [false, item.id]);
      assertEquals(
        (await sql`select 1 from public.user_library where user_id = ${user.id}`).length,
        1,
      );
      await wa(user, "POST", `/assets/${copy.id}/discard`);
      const third = await wa(user, "POST", `/library/${item.id}/copy-to-workspace`);
      assertEquals([third.body.created, (third.body.asset as Row).id], [true, copy.id]);
      const theirs = await savedItem(sql, other);
      assertEquals(
        (await wa(user, "POST", `/library/${theirs.item.id}/copy-to-workspace`)).status,
        404,
      );
      assertEquals(await objectNames(sql, "workspace-temp", `${other.id}/`), [
        theirs.asset.path,
        theirs.asset.thumbnail,
      ]);
    } finally {
      await cleanupWorkspace(sql, user, other);
    }
  });
});

Deno.test("collections: create, rename, counts exact after moves and deletes, delete keeps items", async () => {
  await withDb(async (sql) => {
    const [user, other] = [await createTestUser(sql), await createTestUser(sql)];
    try {
      const a = (await wa(user, "POST", "/collections", { name: "A" })).body.collection as Row;
      const b = (await wa(user, "POST", "/collections", { name: "B", description: "second" })).body
        .collection as Row;
      assertEquals((await wa(user, "POST", "/collections", { name: "A" })).status, 409);
      const one = await savedItem(sql, user, { collection_id: a.id });
      const two = await savedItem(sql, user, { collection_id: a.id });
      assertEquals(await counts(sql, user), { A: 2, B: 0 });
      await wa(user, "PATCH", `/library/${one.item.id}`, { collection_id: b.id });
      assertEquals(await counts(sql, user), { A: 1, B: 1 });
      await wa(user, "PATCH", `/library/${two.item.id}`, { collection_id: null });
      assertEquals(await counts(sql, user), { A: 0, B: 1 });
      await wa(user, "DELETE", `/library/${one.item.id}`);
      assertEquals(await counts(sql, user), { A: 0, B: 0 });
      await wa(user, "PATCH", `/library/${two.item.id}`, { collection_id: b.id });
      const renamed = await wa(user, "PATCH", `/collections/${b.id}`, { name: "Bee" });
      assertEquals([
        (renamed.body.collection as Row).name,
        (renamed.body.collection as Row).asset_count,
      ], ["Bee", 1]);
      const listed = await wa(user, "GET", "/collections");
      assertEquals((listed.body.collections as Row[]).map((c) => [c.name, c.asset_count]), [[
        "A",
        0,
      ], ["Bee", 1]]);
      assertEquals(
        (await wa(other, "PATCH", `/collections/${b.id}`, { name: "Mine" })).status,
        404,
      );
      assertEquals((await wa(other, "DELETE", `/collections/${b.id}`)).status, 404);
      // Moves in opposite directions at once queue on the two collections instead of
      // deadlocking (each used to lock its old collection first): every one is a 200.
      const three = await savedItem(sql, user, { collection_id: a.id });
      for (let round = 0; round < 30; round++) {
        const [there, back] = round % 2 ? [a.id, b.id] : [b.id, a.id];
        const moved = await Promise.all([
          wa(user, "PATCH", `/library/${three.item.id}`, { collection_id: there }),
          wa(user, "PATCH", `/library/${two.item.id}`, { collection_id: back }),
        ]);
        assertEquals(moved.map((m) => m.status), [200, 200], `round ${round}`);
      }
      assertEquals(await counts(sql, user), { A: 1, Bee: 1 });
      await wa(user, "DELETE", `/library/${three.item.id}`);
      assertEquals((await wa(user, "POST", "/collections", { name: "" })).status, 400);
      assertEquals((await wa(user, "POST", "/collections", { name: "x\u0000" })).status, 400);
      assertEquals((await wa(user, "DELETE", `/collections/${b.id}`)).status, 200);
      const [kept] = await sql`select collection_id from public.user_library where id = ${two.item
        .id as string}`;
      assertEquals(kept.collection_id, null, "the item stays, unassigned");
    } finally {
      await cleanupWorkspace(sql, user, other);
    }
  });
});
