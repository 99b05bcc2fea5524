import { assertEquals } from "../support/assert.ts";
import {
  callFn,
  cleanup,
  createFundedUser,
  createSimModel,
  createSimProvider,
} from "../support/jobs.ts";
import { withDb } from "../support/stack.ts";

type Body = Record<string, unknown>;
const err = (b: Body) =>
  b.error as { code: string; message: string; details?: { field: string }[] };

Deno.test("every validation rule answers 400 naming the field and writes nothing", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 100);
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id);
      const base = { prompt: "ok", model_id: model.id };
      const cases: [Body | string, string][] = [
        [{ ...base, prompt: "   " }, "prompt"],
        [{ ...base, prompt: "x".repeat(4001) }, "prompt"],
        [{ model_id: model.id }, "prompt"],
        [{ ...base, modality: "audio" }, "modality"],
        [{ ...base, quality: "ultra" }, "quality"],
        [{ ...base, num_images: 0 }, "num_images"],
        [{ ...base, num_images: 5 }, "num_images"],
        [{ ...base, width: 512 }, "height"],
        [{ ...base, width: 512, height: 512, aspect_ratio: "1:1" }, "aspect_ratio"],
        [{ ...base, aspect_ratio: "wide" }, "aspect_ratio"],
        [{ ...base, aspect_ratio: "4:3" }, "aspect_ratio"],
        [{ ...base, width: 4096, height: 4096 }, "width"],
        [{ ...base, seed: -1 }, "seed"],
        [{ ...base, seed: 1.5 }, "seed"],
        [{ ...base, reference_strength: 0.5 }, "reference_strength"],
        [{ ...base, reference_image: "http://127.0.0.1/x.png" }, "reference_image"],
        [{ ...base, reference_image: "https://evil.example/x.png" }, "reference_image"],
        [
          { ...base, reference_image: "https://127.0.0.1/functions/v1/queue-job/dispatch" },
          "reference_image",
        ],
        [{
          ...base,
          reference_image: { bucket: "reference_images", path: `${user.id}/missing.png` },
        }, "reference_image"],
        [
          { ...base, reference_strength: 2, reference_image: "https://127.0.0.1/x.png" },
          "reference_strength",
        ],
        [{ ...base, content_mode: "spicy" }, "content_mode"],
        [{ ...base, destination: "elsewhere" }, "destination"],
        [{ ...base, project_id: crypto.randomUUID() }, "project_id"],
        [{ ...base, project_id: "nope" }, "project_id"],
        [{ ...base, metadata: { pad: "x".repeat(9000) } }, "metadata"],
        [{ ...base, metadata: [] }, "metadata"],
        [{ ...base, model_key: "a/b" }, "model_key"],
        [{ prompt: "ok", model_id: crypto.randomUUID() }, "model_id"],
        [{ prompt: "ok", model_key: "no/such-model" }, "model_key"],
        [{ ...base, user_id: crypto.randomUUID() }, "user_id"],
        [{ ...base, job_type: "sdxl_image_fast!" }, "job_type"],
        ["[1,2]", "body"],
      ];
      for (const [body, field] of cases) {
        const res = await callFn(user, "POST", "/queue-job", body);
        assertEquals(res.status, 400, `${field}: ${JSON.stringify(res.body)}`);
        assertEquals(err(res.body).code, "BAD_REQUEST");
        assertEquals(
          err(res.body).details?.some((d) => d.field.includes(field)) ??
            err(res.body).message.includes(field),
          true,
          `${field} named: ${JSON.stringify(res.body)}`,
        );
      }
      const malformed = await callFn(user, "POST", "/queue-job", "{not json");
      assertEquals(malformed.status, 400);
      const badKey = await callFn(user, "POST", "/queue-job", base, {
        "idempotency-key": "has space",
      });
      assertEquals(badKey.status, 400);
      const [{ n }] =
        await sql`select count(*)::int as n from public.jobs where user_id = ${user.id}`;
      assertEquals(n, 0, "no job was written");
      const [{ balance }] =
        await sql`select token_balance as balance from public.profiles where id = ${user.id}`;
      assertEquals(balance, 100, "no credit moved");
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
});
