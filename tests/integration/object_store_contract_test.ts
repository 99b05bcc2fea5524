/**
 * The ObjectStore contract: the supabase-js adapter against (a) the Storage simulator behind the
 * test gateway, always, and (b) a real Supabase Storage when STORAGE_CONTRACT_URL and
 * STORAGE_CONTRACT_SERVICE_KEY are set (the project's migrations must be applied there; the RLS
 * case also needs STORAGE_CONTRACT_DB_URL, STORAGE_CONTRACT_JWT_SECRET and
 * STORAGE_CONTRACT_ANON_KEY). Every case removes its objects and users.
 */
import { assertEquals, assertOk, assertRejects } from "../support/assert.ts";
import { createTestUser, deleteTestUsers, stack, withDb } from "../support/stack.ts";
import { createDb, type Sql } from "../../shared/db/client.ts";
import { mintUserJwt } from "../../scripts/lib/local_keys.ts";
import type { ObjectRef, ObjectStore } from "../../shared/storage/object_store.ts";
import { ObjectStoreError } from "../../shared/storage/storage_errors.ts";
import { createSupabaseObjectStore } from "../../shared/storage/supabase_object_store.ts";

interface User {
  id: string;
  jwt: string;
}

interface Variant {
  name: string;
  url: string;
  serviceKey: string;
  anonKey?: string;
  /** Creates users the Storage under test accepts, or undefined when it cannot. */
  users?: () => { create(): Promise<User>; done(): Promise<void> };
  /** Runs `fn` against the database behind the Storage under test (simulator only). */
  db?: <T>(fn: (sql: Sql) => Promise<T>) => Promise<T>;
}

const variants: Variant[] = [{
  name: "simulator",
  url: stack.gatewayUrl,
  serviceKey: Deno.env.get("SUPABASE_SERVICE_ROLE_KEY") ?? "",
  anonKey: Deno.env.get("SUPABASE_ANON_KEY"),
  users: () => userPool(createDb(stack.dbUrl, { max: 2 }), createTestUser, deleteTestUsers),
  db: withDb,
}];
const realUrl = Deno.env.get("STORAGE_CONTRACT_URL");
const realKey = Deno.env.get("STORAGE_CONTRACT_SERVICE_KEY");
if (realUrl && realKey) {
  const dbUrl = Deno.env.get("STORAGE_CONTRACT_DB_URL");
  const secret = Deno.env.get("STORAGE_CONTRACT_JWT_SECRET");
  variants.push({
    name: "real Storage",
    url: realUrl,
    serviceKey: realKey,
    anonKey: Deno.env.get("STORAGE_CONTRACT_ANON_KEY"),
    users: dbUrl && secret
      ? () => userPool(createDb(dbUrl, { max: 2 }), (sql) => insertUser(sql, secret), deleteUsers)
      : undefined,
  });
} else {
  console.log(
    "note: object_store_contract: the real-Storage variant is NOT registered " +
      "(set STORAGE_CONTRACT_URL and STORAGE_CONTRACT_SERVICE_KEY to run it)",
  );
}

const png = (n: number) => {
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return bytes;
};
const folder = () => `${crypto.randomUUID()}/${crypto.randomUUID()}`;
const readAll = async (body: ReadableStream<Uint8Array>) =>
  new Uint8Array(await new Response(body).arrayBuffer());
const streamOf = (bytes: Uint8Array, chunk = 64 * 1024) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < bytes.length; i += chunk) c.enqueue(bytes.slice(i, i + chunk));
      c.close();
    },
  });

async function rejectsWith(fn: () => Promise<unknown>, code: string, status?: number) {
  const err = await assertRejects(fn, ObjectStoreError);
  assertEquals((err as ObjectStoreError).code, code, err.message);
  if (status) assertEquals((err as ObjectStoreError).status, status);
}

/** Runs `fn` with the service store and removes every ref it registers afterwards. */
async function withObjects(
  v: Variant,
  fn: (s: ObjectStore, track: (r: ObjectRef) => ObjectRef) => Promise<void>,
) {
  const store = createSupabaseObjectStore({ url: v.url, key: v.serviceKey });
  const refs: ObjectRef[] = [];
  try {
    await fn(store, (r) => (refs.push(r), r));
  } finally {
    for (const bucket of new Set(refs.map((r) => r.bucket))) {
      await store.remove(bucket, refs.filter((r) => r.bucket === bucket).map((r) => r.path));
    }
  }
}

for (const v of variants) {
  const t = (name: string, fn: () => Promise<void>, ignore = false) =>
    Deno.test({ name: `object store [${v.name}]: ${name}`, ignore, fn });

  t(
    "put and download round-trip bytes, type and size; info, exists and list agree",
    () =>
      withObjects(v, async (store, track) => {
        const dir = folder();
        const a = track({ bucket: "workspace-temp", path: `${dir}/0.png` });
        const bytes = png(300_000);
        const stored = await store.put(a.bucket, a.path, bytes, { contentType: "image/png" });
        assertEquals([stored.bucket, stored.path], [a.bucket, a.path]);
        assertEquals(stored.id, (await store.info(a.bucket, a.path))?.id);
        const got = await store.download(a.bucket, a.path);
        assertEquals([got.contentType, got.size], ["image/png", bytes.length]);
        assertEquals(await readAll(got.body), bytes);
        const b = track({ bucket: "workspace-temp", path: `${dir}/1.png` });
        await store.put(b.bucket, b.path, streamOf(bytes), { contentType: "image/png" });
        assertEquals(await readAll((await store.download(b.bucket, b.path)).body), bytes);
        const info = await store.info(a.bucket, a.path);
        assertEquals([info?.size, info?.contentType], [bytes.length, "image/png"]);
        assertEquals(await store.exists(a.bucket, a.path), true);
        assertEquals(await store.exists(a.bucket, `${dir}/9.png`), false);
        assertEquals(await store.info(a.bucket, `${dir}/9.png`), null);
        const listed = await store.list("workspace-temp", dir);
        assertEquals(listed.map((e) => [e.name, e.size]), [["0.png", bytes.length], [
          "1.png",
          bytes.length,
        ]]);
        assertEquals((await store.list("workspace-temp", dir.split("/")[0])).map((e) => e.id), [
          null,
        ]);
        await v.db?.(async (sql) => {
          const [row] = await sql<{ owner: string | null; metadata: Record<string, unknown> }[]>`
          select owner, metadata from storage.objects
          where bucket_id = ${a.bucket} and name = ${a.path}`;
          assertEquals([row.owner, row.metadata.size, row.metadata.mimetype], [
            null,
            bytes.length,
            "image/png",
          ]);
          assertOk(/^"[0-9a-f]{32}"$/.test(String(row.metadata.eTag)), "eTag is a quoted md5");
        });
      }),
  );

  t(
    "upsert false on an existing object is a conflict; upsert true replaces it",
    () =>
      withObjects(v, async (store, track) => {
        const a = track({ bucket: "workspace-temp", path: `${folder()}/0.png` });
        await store.put(a.bucket, a.path, png(100), { contentType: "image/png" });
        await rejectsWith(
          () => store.put(a.bucket, a.path, png(100), { contentType: "image/png" }),
          "conflict",
          409,
        );
        const next = png(200);
        await store.put(a.bucket, a.path, next, { contentType: "image/png", upsert: true });
        assertEquals(await readAll((await store.download(a.bucket, a.path)).body), next);
      }),
  );

  t(
    "an object over the bucket's size limit is too_large (declared and streamed)",
    () =>
      withObjects(v, async (store, track) => {
        // reference_images allows 10 MiB.
        const big = new Uint8Array(10 * 1024 * 1024 + 1);
        const a = track({ bucket: "reference_images", path: `${folder()}/big.png` });
        await rejectsWith(
          () => store.put(a.bucket, a.path, big, { contentType: "image/png" }),
          "too_large",
          413,
        );
        await rejectsWith(
          () =>
            store.put(a.bucket, a.path, streamOf(big, 1024 * 1024), { contentType: "image/png" }),
          "too_large",
          413,
        );
        assertEquals(await store.exists(a.bucket, a.path), false);
      }),
  );

  t(
    "a MIME type the bucket does not allow is mime_not_allowed",
    () =>
      withObjects(v, async (store, track) => {
        const a = track({ bucket: "workspace-temp", path: `${folder()}/0.txt` });
        await rejectsWith(
          () =>
            store.put(a.bucket, a.path, new TextEncoder().encode("hi"), {
              contentType: "text/plain",
            }),
          "mime_not_allowed",
          415,
        );
        assertEquals(await store.exists(a.bucket, a.path), false);
      }),
  );

  t(
    "copy and move across buckets (workspace-temp → user-library)",
    () =>
      withObjects(v, async (store, track) => {
        const dir = folder();
        const src = track({ bucket: "workspace-temp", path: `${dir}/0.png` });
        const copied = track({ bucket: "user-library", path: `${dir}/copy.png` });
        const moved = track({ bucket: "user-library", path: `${dir}/moved.png` });
        const bytes = png(5000);
        await store.put(src.bucket, src.path, bytes, { contentType: "image/png" });
        assertEquals(await store.copy(src, copied), copied);
        assertEquals(await readAll((await store.download(copied.bucket, copied.path)).body), bytes);
        assertEquals(await store.exists(src.bucket, src.path), true);
        await rejectsWith(() => store.copy(src, copied), "conflict", 409);
        assertEquals(await store.move(src, moved), moved);
        const got = await store.download(moved.bucket, moved.path);
        assertEquals(got.contentType, "image/png");
        assertEquals(await readAll(got.body), bytes);
        await rejectsWith(() => store.download(src.bucket, src.path), "not_found", 404);
        await rejectsWith(() => store.move(src, moved), "not_found", 404);
      }),
  );

  t(
    "remove deletes the listed objects and ignores missing ones",
    () =>
      withObjects(v, async (store, track) => {
        const dir = folder();
        const a = track({ bucket: "workspace-temp", path: `${dir}/0.png` });
        const b = track({ bucket: "workspace-temp", path: `${dir}/1.png` });
        for (const r of [a, b]) {
          await store.put(r.bucket, r.path, png(10), { contentType: "image/png" });
        }
        const removed = await store.remove("workspace-temp", [a.path, `${dir}/missing.png`]);
        assertEquals(removed.map((p) => p.split("/").pop()), ["0.png"]);
        await rejectsWith(() => store.download(a.bucket, a.path), "not_found", 404);
        assertEquals(await store.exists(b.bucket, b.path), true);
        assertEquals(await store.remove("workspace-temp", [a.path]), []);
      }),
  );

  t(
    "a signed URL serves the object without auth until it expires",
    () =>
      withObjects(v, async (store, track) => {
        const a = track({ bucket: "workspace-temp", path: `${folder()}/0.png` });
        const bytes = png(1000);
        await store.put(a.bucket, a.path, bytes, { contentType: "image/png" });
        const url = await store.signedUrl(a.bucket, a.path, 1);
        assertOk(url.startsWith(v.url), `absolute URL: ${url}`);
        const res = await fetch(url);
        assertEquals([res.status, res.headers.get("content-type")], [200, "image/png"]);
        assertEquals(new Uint8Array(await res.arrayBuffer()), bytes);
        const [ok, missing] = await store.signedUrls(a.bucket, [a.path, `${a.path}.gone`], 60);
        assertOk(ok.url && !missing.url && missing.error, "batch signs only existing objects");
        await rejectsWith(() => store.signedUrl(a.bucket, `${a.path}.gone`, 60), "not_found");
        await new Promise((r) => setTimeout(r, 2100));
        const late = await fetch(url);
        await late.body?.cancel();
        assertOk(late.status >= 400 && late.status < 500, `expired link answers ${late.status}`);
        const tampered = await fetch(url.replace("/0.png?", "/1.png?"));
        await tampered.body?.cancel();
        assertOk(tampered.status >= 400 && tampered.status < 500, "token is bound to its path");
      }),
  );

  t(
    "download of a missing object is not_found; unsafe paths never leave the process",
    () =>
      withObjects(v, async (store) => {
        await rejectsWith(
          () => store.download("workspace-temp", `${folder()}/x.png`),
          "not_found",
          404,
        );
        await rejectsWith(() => store.download("no-such-bucket", "a/b.png"), "not_found", 404);
        for (const bad of ["../etc/passwd", "/abs.png", "a//b.png", "a/\u0000.png", "a/./b"]) {
          await rejectsWith(() => store.download("workspace-temp", bad), "invalid_path");
        }
      }),
  );

  const users = v.users;
  t("a user's token reads and writes only under <own id>/ in private buckets", async () => {
    const pool = users!();
    const service = createSupabaseObjectStore({ url: v.url, key: v.serviceKey });
    try {
      const [a, b] = [await pool.create(), await pool.create()];
      const asA = createSupabaseObjectStore({ url: v.url, key: v.anonKey!, accessToken: a.jwt });
      const own = { bucket: "workspace-temp", path: `${a.id}/${crypto.randomUUID()}/0.png` };
      const other = { bucket: "workspace-temp", path: `${b.id}/${crypto.randomUUID()}/0.png` };
      const cleanup = [own, other, { bucket: "user-library", path: own.path }, {
        bucket: "workspace-temp",
        path: `${a.id}/moved.png`,
      }];
      try {
        const bytes = png(100);
        await asA.put(own.bucket, own.path, bytes, { contentType: "image/png" });
        assertEquals(await readAll((await asA.download(own.bucket, own.path)).body), bytes);
        await service.put(other.bucket, other.path, bytes, { contentType: "image/png" });
        await rejectsWith(
          () => asA.put(other.bucket, `${b.id}/x.png`, bytes, { contentType: "image/png" }),
          "forbidden",
          403,
        );
        await rejectsWith(() => asA.download(other.bucket, other.path), "not_found", 404);
        await rejectsWith(() => asA.signedUrl(other.bucket, other.path, 60), "not_found");
        assertEquals(await asA.list(other.bucket, other.path.split("/")[0]), []);
        assertEquals(await asA.remove(other.bucket, [other.path]), []);
        assertEquals(await service.exists(other.bucket, other.path), true);
        await rejectsWith(
          () => asA.copy(other, { ...other, path: `${a.id}/stolen.png` }),
          "not_found",
        );
        await asA.copy(own, { bucket: "user-library", path: own.path });
        await rejectsWith(() => asA.move(own, { ...other, path: `${b.id}/gift.png` }), "forbidden");
        await asA.move(own, { bucket: "workspace-temp", path: `${a.id}/moved.png` });
        await rejectsWith(
          () => asA.put("avatars", `${a.id}/me.png`, bytes, { contentType: "image/png" }),
          "forbidden",
          403,
        );
        const anon = createSupabaseObjectStore({ url: v.url, key: v.anonKey! });
        await rejectsWith(
          () => anon.put(own.bucket, `${a.id}/anon.png`, bytes, { contentType: "image/png" }),
          "forbidden",
          403,
        );
        await v.db?.(async (sql) => {
          const [row] = await sql<{ owner: string }[]>`select owner from storage.objects
            where bucket_id = 'user-library' and name = ${own.path}`;
          assertEquals(row.owner, a.id, "the copier owns the copy");
        });
      } finally {
        for (const r of cleanup) await service.remove(r.bucket, [r.path]);
      }
    } finally {
      await pool.done();
    }
  }, !users || !v.anonKey);
}

function userPool<U extends User>(
  sql: Sql,
  make: (sql: Sql) => Promise<U>,
  drop: (sql: Sql, ...users: U[]) => Promise<void>,
) {
  const made: U[] = [];
  return {
    create: async () => {
      const u = await make(sql);
      made.push(u);
      return u;
    },
    done: async () => {
      try {
        if (made.length) await drop(sql, ...made);
      } finally {
        await sql.end({ timeout: 1 });
      }
    },
  };
}

async function insertUser(sql: Sql, secret: string): Promise<User> {
  const id = crypto.randomUUID();
  const email = `storage-contract-${id}@example.test`;
  await sql`insert into auth.users (id, email) values (${id}, ${email})`;
  return { id, jwt: await mintUserJwt(id, { secret, email }) };
}

async function deleteUsers(sql: Sql, ...users: User[]): Promise<void> {
  await sql`delete from auth.users where id = any(${users.map((u) => u.id)}::uuid[])`;
}
