/**
 * Reference images are checked in full at enqueue (scheme, host and port, IP forms, the Storage
 * object path and its owner), and a job the dispatcher cannot prepare counts its attempts and
 * ends failed and refunded instead of holding a slot of the user's cap.
 */
import { assertEquals } from "../support/assert.ts";
import {
  callFn,
  cleanup,
  createFundedUser,
  createSimModel,
  createSimProvider,
  dispatch,
  waitForJob,
} from "../support/jobs.ts";
import { imageCapabilities } from "../support/providers.ts";
import { pngBytes } from "../../simulators/media/images.ts";
import { stack, withDb } from "../support/stack.ts";
import { createSupabaseObjectStore } from "../../shared/storage/supabase_object_store.ts";

type Body = Record<string, unknown>;
const err = (b: Body) => b.error as { code: string; details?: { field: string }[] };

Deno.test("references: only https provider hosts by name, or our own Storage objects in the caller's folder", async () => {
  const store = createSupabaseObjectStore({
    url: stack.gatewayUrl,
    key: Deno.env.get("SUPABASE_SERVICE_ROLE_KEY")!,
  });
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 100);
    const other = await createFundedUser(sql, 0);
    const provider = await createSimProvider(sql, {
      allowed_output_hosts: ["127.0.0.1", "files.example"],
    });
    const ownPath = `${user.id}/ref.png`;
    const otherPath = `${other.id}/ref.png`;
    try {
      const model = await createSimModel(sql, provider.id, {}, {
        capabilities: imageCapabilities({ legacy_job_types: ["ref_test_image_fast"] }),
      });
      for (const path of [ownPath, otherPath]) {
        await store.put("reference_images", path, await pngBytes(8, 8), {
          contentType: "image/png",
          upsert: true,
        });
      }
      const gateway = new URL(stack.gatewayUrl);
      const storageUrl = (bucket: string, path: string, origin = gateway.origin) =>
        `${origin}/storage/v1/object/public/${bucket}/${path}`;
      const base = { prompt: "ref", model_id: model.id };
      const refused: [Body, number][] = [
        [{ ...base, reference_image: "https://2130706433/x.png" }, 400],
        [{ ...base, reference_image: "https://0x7f.0.0.1/x.png" }, 400],
        [{ ...base, reference_image: "https://127.0.0.1/x.png" }, 400],
        [{ ...base, reference_image: "https://files.example:8443/x.png" }, 400],
        [{ ...base, reference_image: "https://user:pw@files.example/x.png" }, 400],
        [{ ...base, reference_image: "https://files.example.evil.test/x.png" }, 400],
        // Our own host, but another scheme or port than our Storage's.
        [{
          ...base,
          reference_image: storageUrl("reference_images", ownPath, `https://${gateway.host}`),
        }, 400],
        [{
          ...base,
          reference_image: storageUrl(
            "reference_images",
            ownPath,
            `http://${gateway.hostname}:${Number(gateway.port) + 1}`,
          ),
        }, 400],
        // Our Storage, but not the caller's object, or not an object at all.
        [{ ...base, reference_image: storageUrl("reference_images", otherPath) }, 403],
        [{ ...base, reference_image: storageUrl("system_assets", ownPath) }, 403],
        [{ ...base, reference_image: storageUrl("reference_images", `${user.id}/nope.png`) }, 400],
        [{ ...base, reference_image: `${gateway.origin}/functions/v1/queue-job/dispatch` }, 400],
        // The reference frontend's body with a reference that is no URL at all.
        [{ job_type: "ref_test_image_fast", prompt: "ref", reference_image_url: "not a url" }, 400],
        [{ job_type: "ref_test_image_fast", prompt: "ref", reference_image_url: "http://x" }, 400],
      ];
      for (const [body, status] of refused) {
        const res = await callFn(user, "POST", "/queue-job", body);
        assertEquals(res.status, status, `${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
        assertEquals(
          err(res.body).details?.some((d) => d.field === "reference_image"),
          true,
          JSON.stringify(res.body),
        );
      }
      const [{ n }] =
        await sql`select count(*)::int as n from public.jobs where user_id = ${user.id}`;
      assertEquals(n, 0, "nothing was charged or stored");

      const ok = await callFn(user, "POST", "/queue-job", {
        ...base,
        reference_image: storageUrl("reference_images", ownPath),
      });
      assertEquals(ok.status, 202, JSON.stringify(ok.body));
      const [job] =
        await sql`select reference_image_path from public.jobs where id = ${(ok.body.job as Body)
          .id as string}`;
      assertEquals(
        job.reference_image_path,
        `reference_images/${ownPath}`,
        "our own Storage URL is kept as the object, signed afresh at each dispatch",
      );
    } finally {
      await store.remove("reference_images", [ownPath, otherPath]).catch(() => {});
      await cleanup(sql, [user, other], [provider]);
    }
  });
});

Deno.test("a job the dispatcher cannot prepare counts its attempts, then fails with a refund", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 10);
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id);
      // A reference no current enqueue accepts (plain http on our host), as older code stored it.
      const [{ job_id: id }] = await sql`select job_id from public.enqueue_job(${user.id}::uuid,
        ${
        sql.json({
          modality: "image",
          prompt: "unpreparable",
          api_model_id: model.id,
          reference_image_path: "http://127.0.0.1/x.png",
          max_attempts: 2,
        })
      }, 3)`;
      await dispatch();
      const [first] =
        await sql`select status, attempts, error_code from public.jobs where id = ${id}`;
      assertEquals([first.status, first.attempts, first.error_code], [
        "queued",
        1,
        "prepare_failed",
      ]);
      await sql`update public.jobs set next_attempt_at = now() where id = ${id}`;
      const done = await waitForJob(sql, id);
      assertEquals([done.status, done.error_code], ["failed", "prepare_failed"]);
      const [{ balance }] =
        await sql`select token_balance as balance from public.profiles where id = ${user.id}`;
      assertEquals(balance, 10, "refunded");
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
});
