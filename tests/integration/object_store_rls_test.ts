import { BUCKETS } from "../../shared/vocabulary.ts";
/**
 * The ObjectStore contract's RLS case: a user's token reads and writes only under their own
 * folder of a private bucket (same variants as object_store_contract_test.ts).
 */
import { assertEquals } from "../support/assert.ts";
import { createSupabaseObjectStore } from "../../shared/storage/supabase_object_store.ts";
import { png, readAll, rejectsWith, variants } from "../support/object_store_contract.ts";

for (const v of variants) {
  const t = (name: string, fn: () => Promise<void>, ignore = false) =>
    Deno.test({ name: `object store [${v.name}]: ${name}`, ignore, fn });
  const users = v.users;

  t("a user's token reads and writes only under <own id>/ in private buckets", async () => {
    const pool = users!();
    const service = createSupabaseObjectStore({ url: v.url, key: v.serviceKey });
    try {
      const [a, b] = [await pool.create(), await pool.create()];
      const asA = createSupabaseObjectStore({ url: v.url, key: v.anonKey!, accessToken: a.jwt });
      const own = { bucket: BUCKETS.workspace, path: `${a.id}/${crypto.randomUUID()}/0.png` };
      const other = { bucket: BUCKETS.workspace, path: `${b.id}/${crypto.randomUUID()}/0.png` };
      const cleanup = [own, other, { bucket: BUCKETS.library, path: own.path }, {
        bucket: BUCKETS.workspace,
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
        await asA.copy(own, { bucket: BUCKETS.library, path: own.path });
        await rejectsWith(() => asA.move(own, { ...other, path: `${b.id}/gift.png` }), "forbidden");
        await asA.move(own, { bucket: BUCKETS.workspace, path: `${a.id}/moved.png` });
        // Removal goes through the API (SQL may not delete storage rows): own folder only.
        assertEquals(await asA.remove(BUCKETS.workspace, [`${a.id}/moved.png`]), [
          `${a.id}/moved.png`,
        ]);
        await rejectsWith(
          () => asA.put(BUCKETS.avatars, `${a.id}/me.png`, bytes, { contentType: "image/png" }),
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
            where bucket_id = ${BUCKETS.library} and name = ${own.path}`;
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
