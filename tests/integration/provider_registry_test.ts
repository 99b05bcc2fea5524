import { assertEquals, assertRejects } from "../support/assert.ts";
import { ProviderRegistry } from "../../shared/providers/registry.ts";
import { asService } from "../../shared/db/scopes.ts";
import { recordModelOutcome } from "../../shared/db/tables/provider_runtime.ts";
import { createLogger } from "../../shared/log.ts";
import { AppError } from "../../shared/errors.ts";
import {
  createTestModel,
  createTestProvider,
  deleteTestProviders,
  imageCapabilities,
  testRegistry,
} from "../support/providers.ts";
import { withDb } from "../support/stack.ts";

Deno.test("ProviderRegistry.resolve: explicit id and key, default, fallback order, inactive, modality, secrets, cooldown", async () => {
  await withDb(async (sql) => {
    const replicate = await createTestProvider(sql);
    const secretless = await createTestProvider(sql);
    const inactive = await createTestProvider(sql, { is_active: false });
    try {
      const low = await createTestModel(sql, replicate.id, { priority: 2 });
      const high = await createTestModel(sql, replicate.id, { priority: 10 });
      const dflt = await createTestModel(sql, replicate.id, { priority: 0, is_default: true });
      const off = await createTestModel(sql, replicate.id, { is_active: false, priority: 99 });
      const video = await createTestModel(sql, replicate.id, { modality: "video" });
      const noSecret = await createTestModel(sql, secretless.id, { priority: 50 });
      const onInactiveProvider = await createTestModel(sql, inactive.id, { priority: 60 });
      const sharedKey = `owner/shared-${crypto.randomUUID().slice(0, 6)}`;
      const keyLow = await createTestModel(sql, replicate.id, {
        model_key: sharedKey,
        version: "v1",
        priority: 1,
      });
      const keyHigh = await createTestModel(sql, replicate.id, {
        model_key: sharedKey,
        version: "v2",
        priority: 5,
      });
      const broken = await createTestModel(sql, replicate.id, {
        priority: 40,
        capabilities: imageCapabilities({ max_outputs: 0 }),
      });

      const lines: string[] = [];
      const env = new Map([[replicate.secret_name!, "r8_test"], [inactive.secret_name!, "x"]]);
      const registry = new ProviderRegistry({
        db: sql,
        env: (k) => env.get(k),
        secretAllowlist: new Set(env.keys()),
        log: createLogger({ sink: (l) => lines.push(l) }),
        ttlMs: 0,
      });
      const ours = (ids: string[]) =>
        ids.filter((id) => [low, high, dflt, keyLow, keyHigh].some((m) => m.id === id));

      const byDefault = await registry.resolve({ modality: "image" });
      assertEquals(
        byDefault.primary.model.id,
        dflt.id,
        "the default for (image, generation) comes first",
      );
      assertEquals(ours(byDefault.fallbacks.map((f) => f.model.id)), [
        high.id,
        keyHigh.id,
        low.id,
        keyLow.id,
      ], "then by priority");
      const allIds = [byDefault.primary, ...byDefault.fallbacks].map((r) => r.model.id);
      for (const excluded of [off, video, noSecret, onInactiveProvider, broken]) {
        assertEquals(
          allIds.includes(excluded.id),
          false,
          `${excluded.model_key} is not a candidate`,
        );
      }
      assertEquals(byDefault.primary.provider.authHeaders, { Authorization: "Bearer r8_test" });
      assertEquals(byDefault.primary.pricing, { per_output: { fast: 1, high: 2 } });

      assertEquals(
        (await registry.resolve({ modality: "image", modelId: low.id })).primary.model.id,
        low.id,
        "explicit id",
      );
      assertEquals(
        (await registry.resolve({ modality: "image", modelKey: sharedKey })).primary.model.id,
        keyHigh.id,
        "key → highest priority",
      );
      assertEquals(
        (await registry.resolve({ modality: "video", modelId: video.id })).primary.model.id,
        video.id,
      );

      const expectError = async (
        req: Parameters<ProviderRegistry["resolve"]>[0],
        code: string,
        pattern: RegExp,
      ) => {
        const err = await assertRejects(() => registry.resolve(req), AppError);
        assertEquals((err as AppError).code, code, err.message);
        assertEquals(pattern.test(err.message), true, err.message);
        assertEquals(
          err.message.includes(secretless.secret_name!),
          false,
          "no secret name in the message",
        );
      };
      await expectError({ modality: "image", modelId: off.id }, "BAD_REQUEST", /not available/);
      await expectError(
        { modality: "image", modelId: crypto.randomUUID() },
        "BAD_REQUEST",
        /not available/,
      );
      await expectError(
        { modality: "image", modelId: video.id },
        "BAD_REQUEST",
        /does not generate image/,
      );
      await expectError(
        { modality: "image", modelId: onInactiveProvider.id },
        "BAD_REQUEST",
        /not available/,
      );
      await expectError(
        { modality: "image", modelId: noSecret.id },
        "UNAVAILABLE",
        /temporarily unavailable/,
      );
      await expectError(
        { modality: "image", modelId: broken.id },
        "UNAVAILABLE",
        /temporarily unavailable/,
      );
      assertEquals(
        lines.some((l) =>
          l.includes("provider secret missing") && l.includes(secretless.secret_name!)
        ),
        true,
        "operators see which secret",
      );
      assertEquals(
        lines.some((l) => l.includes("invalid model row") && l.includes("max_outputs")),
        true,
        "invalid capabilities are reported at resolve time",
      );

      await asService(
        sql,
        (tx) =>
          recordModelOutcome(tx, dflt.id, { ok: false, error: "boom" }, { failureThreshold: 2 }),
      );
      assertEquals(
        (await registry.resolve({ modality: "image" })).primary.model.id,
        dflt.id,
        "one failure is not a cooldown",
      );
      await asService(
        sql,
        (tx) =>
          recordModelOutcome(tx, dflt.id, { ok: false, error: "boom" }, { failureThreshold: 2 }),
      );
      const cooled = await registry.resolve({ modality: "image" });
      assertEquals(cooled.primary.model.id, high.id, "a model in cooldown goes last");
      assertEquals(cooled.fallbacks.at(-1)?.model.id, dflt.id);
      assertEquals(
        (await registry.resolve({ modality: "image", modelId: dflt.id })).primary.model.id,
        dflt.id,
        "explicit still honoured",
      );
      await asService(sql, (tx) => recordModelOutcome(tx, dflt.id, { ok: true }));
      assertEquals(
        (await registry.resolve({ modality: "image" })).primary.model.id,
        dflt.id,
        "success ends the cooldown",
      );

      await sql`update public.api_models set is_active = false where id = ${dflt.id}`;
      assertEquals(
        (await registry.resolve({ modality: "image" })).primary.model.id,
        high.id,
        "an update is seen once the fingerprint changes",
      );
    } finally {
      await deleteTestProviders(sql, replicate, secretless, inactive);
    }
  });
});

Deno.test("ProviderRegistry resolves legacy job types and honours the base-URL override", async () => {
  await withDb(async (sql) => {
    const provider = await createTestProvider(sql);
    try {
      const jobType = `legacy_${crypto.randomUUID().slice(0, 6)}`;
      const model = await createTestModel(sql, provider.id, {
        capabilities: imageCapabilities({ legacy_job_types: [jobType] }),
      });
      const prefix = provider.name.toUpperCase().replace(/[^A-Z0-9]/g, "_");
      const env = new Map([[provider.secret_name!, "k"], [
        `${prefix}_BASE_URL`,
        "http://127.0.0.1:9/v1/",
      ], [`${prefix}_OUTPUT_HOSTS`, "files.test,127.0.0.1"]]);
      const registry = testRegistry(sql, env);
      const resolved = await registry.resolve({ modality: "image", legacyJobType: jobType });
      assertEquals(resolved.primary.model.id, model.id);
      assertEquals(resolved.primary.provider.baseUrl, "http://127.0.0.1:9/v1");
      assertEquals(resolved.primary.provider.allowedOutputHosts, ["files.test", "127.0.0.1"]);
      await assertRejects(
        () => registry.resolve({ modality: "image", legacyJobType: "no_such_job_type" }),
        /not available/,
      );
    } finally {
      await deleteTestProviders(sql, provider);
    }
  });
});

Deno.test("ProviderRegistry reads only allowlisted secrets: a row naming another env var is unusable", async () => {
  await withDb(async (sql) => {
    // The row names a variable the process does have, but that no provider may use.
    const provider = await createTestProvider(sql, {
      secret_name: "ADMIN_PICKED_SECRET",
      webhook_secret_name: "ADMIN_PICKED_WEBHOOK_SECRET",
    });
    try {
      const model = await createTestModel(sql, provider.id);
      const env = new Map([
        ["ADMIN_PICKED_SECRET", "super-secret-value"],
        ["ADMIN_PICKED_WEBHOOK_SECRET", "whsec_c2VjcmV0"],
      ]);
      const lines: string[] = [];
      const registry = new ProviderRegistry({
        db: sql,
        env: (k) => env.get(k),
        log: createLogger({ sink: (l) => lines.push(l) }),
        ttlMs: 0,
      });
      const err = await assertRejects(
        () => registry.resolve({ modality: "image", modelId: model.id }),
        AppError,
      );
      assertEquals((err as AppError).code, "UNAVAILABLE");
      assertEquals(registry.webhookSecret(provider), undefined, "webhook secrets too");
      assertEquals(await registry.modelById(model.id), undefined);
      assertEquals(
        lines.some((l) =>
          l.includes("provider secret name not allowed") && l.includes("ADMIN_PICKED_SECRET")
        ),
        true,
        "operators see which name was refused",
      );
      assertEquals(lines.some((l) => l.includes("super-secret-value")), false, "never the value");

      // The same row works once the operator allowlists the name.
      const allowed = new ProviderRegistry({
        db: sql,
        env: (k) => env.get(k),
        secretAllowlist: new Set(["ADMIN_PICKED_SECRET"]),
        log: createLogger({ level: "error" }),
        ttlMs: 0,
      });
      const resolved = await allowed.resolve({ modality: "image", modelId: model.id });
      assertEquals(resolved.primary.provider.apiKey, "super-secret-value");
    } finally {
      await deleteTestProviders(sql, provider);
    }
  });
});
