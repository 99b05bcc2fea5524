import { BUCKETS } from "../../shared/vocabulary.ts";
/**
 * The ObjectStore contract: the supabase-js adapter against (a) the Storage simulator behind the
 * test gateway, always, and (b) a real Supabase Storage when STORAGE_CONTRACT_URL and
 * STORAGE_CONTRACT_SERVICE_KEY are set (the project's migrations must be applied there; the RLS
 * case also needs STORAGE_CONTRACT_DB_URL, STORAGE_CONTRACT_JWT_SECRET and
 * STORAGE_CONTRACT_ANON_KEY). Every case removes its objects and users.
 */
import { assertEquals, assertOk } from "../support/assert.ts";
import {
  folder,
  png,
  readAll,
  rejectsWith,
  streamOf,
  variants,
  withObjects,
} from "../support/object_store_contract.ts";

for (const v of variants) {
  const t = (name: string, fn: () => Promise<void>, ignore = false) =>
    Deno.test({ name: `object store [${v.name}]: ${name}`, ignore, fn });

  t(
    "put and download round-trip bytes, type and size; info, exists and list agree",
    () =>
      withObjects(v, async (store, track) => {
        const dir = folder();
        const a = track({ bucket: BUCKETS.workspace, path: `${dir}/0.png` });
        const bytes = png(300_000);
        const stored = await store.put(a.bucket, a.path, bytes, { contentType: "image/png" });
        assertEquals([stored.bucket, stored.path], [a.bucket, a.path]);
        assertEquals(stored.id, (await store.info(a.bucket, a.path))?.id);
        const got = await store.download(a.bucket, a.path);
        assertEquals([got.contentType, got.size], ["image/png", bytes.length]);
        assertEquals(await readAll(got.body), bytes);
        const b = track({ bucket: BUCKETS.workspace, path: `${dir}/1.png` });
        await store.put(b.bucket, b.path, streamOf(bytes), { contentType: "image/png" });
        assertEquals(await readAll((await store.download(b.bucket, b.path)).body), bytes);
        const info = await store.info(a.bucket, a.path);
        assertEquals([info?.size, info?.contentType], [bytes.length, "image/png"]);
        assertEquals(await store.exists(a.bucket, a.path), true);
        assertEquals(await store.exists(a.bucket, `${dir}/9.png`), false);
        assertEquals(await store.info(a.bucket, `${dir}/9.png`), null);
        const listed = await store.list(BUCKETS.workspace, dir);
        assertEquals(listed.map((e) => [e.name, e.size]), [["0.png", bytes.length], [
          "1.png",
          bytes.length,
        ]]);
        assertEquals((await store.list(BUCKETS.workspace, dir.split("/")[0])).map((e) => e.id), [
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
        const a = track({ bucket: BUCKETS.workspace, path: `${folder()}/0.png` });
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
        const a = track({ bucket: BUCKETS.reference, path: `${folder()}/big.png` });
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
        const a = track({ bucket: BUCKETS.workspace, path: `${folder()}/0.txt` });
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
        const src = track({ bucket: BUCKETS.workspace, path: `${dir}/0.png` });
        const copied = track({ bucket: BUCKETS.library, path: `${dir}/copy.png` });
        const moved = track({ bucket: BUCKETS.library, path: `${dir}/moved.png` });
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
        const a = track({ bucket: BUCKETS.workspace, path: `${dir}/0.png` });
        const b = track({ bucket: BUCKETS.workspace, path: `${dir}/1.png` });
        for (const r of [a, b]) {
          await store.put(r.bucket, r.path, png(10), { contentType: "image/png" });
        }
        const removed = await store.remove(BUCKETS.workspace, [a.path, `${dir}/missing.png`]);
        assertEquals(removed.map((p) => p.split("/").pop()), ["0.png"]);
        await rejectsWith(() => store.download(a.bucket, a.path), "not_found", 404);
        assertEquals(await store.exists(b.bucket, b.path), true);
        assertEquals(await store.remove(BUCKETS.workspace, [a.path]), []);
      }),
  );

  t(
    "a signed URL serves the object without auth until it expires",
    () =>
      withObjects(v, async (store, track) => {
        const a = track({ bucket: BUCKETS.workspace, path: `${folder()}/0.png` });
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
          () => store.download(BUCKETS.workspace, `${folder()}/x.png`),
          "not_found",
          404,
        );
        await rejectsWith(() => store.download("no-such-bucket", "a/b.png"), "not_found", 404);
        for (const bad of ["../etc/passwd", "/abs.png", "a//b.png", "a/\u0000.png", "a/./b"]) {
          await rejectsWith(() => store.download(BUCKETS.workspace, bad), "invalid_path");
        }
      }),
  );
}
