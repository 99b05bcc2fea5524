import { BUCKETS } from "../../shared/vocabulary.ts";
/**
 * The ObjectStore contract where the adapter does what Storage does not (storage-fidelity D1,
 * D5, D6, D7-D10, D17, D2/D3): bucket rules on copies and moves, MIME types sent bare, list
 * order and paging, batch removal, and a refused service key told apart from a user's 404/403.
 * Same variants as object_store_contract_test.ts.
 */
import * as jose from "jose";
import { assertEquals, assertOk } from "../support/assert.ts";
import { createSupabaseObjectStore } from "../../shared/storage/supabase_object_store.ts";
import {
  folder,
  png,
  rejectsWith,
  variants,
  withObjects,
} from "../support/object_store_contract.ts";

for (const v of variants) {
  const t = (name: string, fn: () => Promise<void>) =>
    Deno.test({ name: `object store [${v.name}]: ${name}`, fn });

  t(
    "copy and move check the destination bucket's MIME list and size limit first",
    () =>
      withObjects(v, async (store, track) => {
        const dir = folder();
        const video = track({ bucket: BUCKETS.workspace, path: `${dir}/clip.mp4` });
        await store.put(video.bucket, video.path, new Uint8Array(64), { contentType: "video/mp4" });
        const toRefs = track({ bucket: BUCKETS.reference, path: `${dir}/clip.mp4` });
        // reference_images takes images only and 10 MiB at most.
        await rejectsWith(() => store.copy(video, toRefs), "mime_not_allowed");
        await rejectsWith(() => store.move(video, toRefs), "mime_not_allowed");
        const big = track({ bucket: BUCKETS.workspace, path: `${dir}/big.png` });
        await store.put(big.bucket, big.path, png(10 * 1024 * 1024 + 1), {
          contentType: "image/png",
        });
        const bigRef = track({ bucket: BUCKETS.reference, path: `${dir}/big.png` });
        await rejectsWith(() => store.copy(big, bigRef), "too_large");
        // What the caller knows about the source is used instead of asking Storage.
        await rejectsWith(
          () => store.copy(video, toRefs, { source: { size: 64, contentType: "video/mp4" } }),
          "mime_not_allowed",
        );
        assertEquals(await store.exists(toRefs.bucket, toRefs.path), false);
        assertEquals(await store.exists(bigRef.bucket, bigRef.path), false);
        assertEquals(await store.exists(video.bucket, video.path), true, "nothing moved");
        await rejectsWith(
          () => store.copy({ ...video, path: `${dir}/none.mp4` }, video),
          "not_found",
        );
      }),
  );

  t(
    "content types go out bare and lower-case; a stream past the limit is cut off by us",
    () =>
      withObjects(v, async (store, track) => {
        const a = track({ bucket: BUCKETS.workspace, path: `${folder()}/a.png` });
        await store.put(a.bucket, a.path, png(100), { contentType: "Image/PNG; charset=binary" });
        assertEquals((await store.info(a.bucket, a.path))?.contentType, "image/png");
        await rejectsWith(
          () => store.put(a.bucket, a.path, png(10), { contentType: "not a type", upsert: true }),
          "invalid_request",
        );
        const b = track({ bucket: BUCKETS.reference, path: `${folder()}/b.png` });
        const blob = new Blob([png(10 * 1024 * 1024 + 1)]);
        await rejectsWith(
          () => store.put(b.bucket, b.path, blob, { contentType: "image/png" }),
          "too_large",
        );
        assertEquals(await store.exists(b.bucket, b.path), false);
      }),
  );

  t(
    "list pages in Storage's order, prefixes match case-insensitively, missing buckets are empty",
    () =>
      withObjects(v, async (store, track) => {
        const dir = folder();
        const names = ["_u.png", "aa/x.png", "b.png", "B2.png", "C.png"];
        for (const n of names) {
          const r = track({ bucket: BUCKETS.workspace, path: `${dir}/${n}` });
          await store.put(r.bucket, r.path, png(10), { contentType: "image/png" });
        }
        const order = ["_u.png", "aa", "b.png", "B2.png", "C.png"];
        assertEquals((await store.list(BUCKETS.workspace, dir)).map((e) => e.name), order);
        const paged: string[] = [];
        for await (const e of store.listAll(BUCKETS.workspace, dir, { pageSize: 2 })) {
          paged.push(e.name);
        }
        assertEquals(paged, order);
        assertEquals((await store.list(BUCKETS.workspace, `${dir}/AA`)).map((e) => e.name), [
          "x.png",
        ]);
        assertEquals(await store.list("no-such-bucket", dir), []);
        assertEquals(await store.remove("no-such-bucket", [`${dir}/b.png`]), []);
        await rejectsWith(
          () => store.list(BUCKETS.workspace, dir, { limit: 0 }),
          "invalid_request",
        );
      }),
  );

  t("remove sends at most 1000 paths per request", () =>
    withObjects(v, async (store, track) => {
      const dir = folder();
      const kept = track({ bucket: BUCKETS.workspace, path: `${dir}/last.png` });
      await store.put(kept.bucket, kept.path, png(10), { contentType: "image/png" });
      const missing = Array.from({ length: 1000 }, (_, i) => `${dir}/gone-${i}.png`);
      assertEquals(await store.remove(BUCKETS.workspace, [...missing, kept.path]), [kept.path]);
    }));

  t(
    "a service key Storage refuses is misconfigured on writes; reads just miss",
    () =>
      withObjects(v, async (store, track) => {
        const a = track({ bucket: BUCKETS.workspace, path: `${folder()}/a.png` });
        await store.put(a.bucket, a.path, png(10), { contentType: "image/png" });
        const wrong = await new jose.SignJWT({ role: "service_role" })
          .setProtectedHeader({ alg: "HS256", typ: "JWT" })
          .setIssuedAt()
          .setExpirationTime("1h")
          .sign(crypto.getRandomValues(new Uint8Array(32)));
        const lines: string[] = [];
        const log = {
          enabled: () => true,
          debug() {},
          info() {},
          warn() {},
          error: (msg: string) => void lines.push(msg),
        };
        const broken = createSupabaseObjectStore({ url: v.url, key: wrong, log });
        await rejectsWith(
          () => broken.put(a.bucket, `${a.path}.2`, png(10), { contentType: "image/png" }),
          "misconfigured",
        );
        await rejectsWith(() => broken.remove(a.bucket, [a.path]), "misconfigured");
        // A read with a refused key is anonymous: it looks like a missing object (D2).
        await rejectsWith(() => broken.download(a.bucket, a.path), "not_found");
        assertEquals(await store.exists(a.bucket, a.path), true);
        assertOk(lines.some((l) => l.includes("service key")), "logged as a configuration fault");
      }),
  );
}
