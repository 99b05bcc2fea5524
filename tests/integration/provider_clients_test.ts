/**
 * Clients and parsed rows are reused: the registry's endpoint and model objects stay the same
 * while the rows do, and the SDK clients built on an endpoint are kept with it.
 */
import { assertEquals } from "../support/assert.ts";
import { chatFor, generationFor } from "../../shared/providers/adapters.ts";
import type { ProviderEndpoint } from "../../shared/providers/provider_config.ts";
import {
  createTestModel,
  createTestProvider,
  deleteTestProviders,
  testRegistry,
} from "../support/providers.ts";
import { withDb } from "../support/stack.ts";

Deno.test("ProviderRegistry hands out one endpoint and model per row while the rows are unchanged, so SDK clients are built and rows parsed once", async () => {
  await withDb(async (sql) => {
    const provider = await createTestProvider(sql);
    try {
      await createTestModel(sql, provider.id, { priority: 1000 });
      const env = new Map([[provider.secret_name!, "k"]]);
      const registry = testRegistry(sql, env);
      const firstModel = (await registry.resolve({ modality: "image" })).primary;
      const againModel = (await registry.resolve({ modality: "image" })).primary;
      assertEquals(againModel === firstModel, true, "capabilities and pricing parsed once");
      const first = firstModel.provider;
      const again = againModel.provider;
      assertEquals(again === first, true, "the same endpoint object while the rows are unchanged");
      assertEquals(generationFor(again, "image") === generationFor(first, "image"), true);
      assertEquals(registry.endpoint(first.row) === first, true, "endpoint() shares it");

      await sql`update public.api_providers set display_name = 'renamed' where id = ${provider.id}`;
      const changed = (await registry.resolve({ modality: "image" })).primary.provider;
      assertEquals(changed === first, false, "a changed row is a new endpoint");
      assertEquals(
        generationFor(changed, "image") === generationFor(first, "image"),
        false,
        "and a new client",
      );
    } finally {
      await deleteTestProviders(sql, provider);
    }
  });
});

Deno.test("chatFor reuses a client for the same endpoint and options, not across options", () => {
  const ep = {
    row: { name: "openrouter", adapter: "openrouter", auth_scheme: "bearer" },
    baseUrl: "http://127.0.0.1:9/api/v1",
    authHeaders: {},
    apiKey: "k",
    allowedOutputHosts: [],
  } as unknown as ProviderEndpoint;
  const a = chatFor(ep, { appTitle: "one" });
  assertEquals(chatFor(ep, { appTitle: "one" }) === a, true);
  assertEquals(chatFor(ep, { appTitle: "two" }) === a, false);
  assertEquals(chatFor({ ...ep }, { appTitle: "one" }) === a, false, "another endpoint");
});
