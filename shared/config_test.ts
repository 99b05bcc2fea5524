import { assertEquals, assertThrows } from "../tests/support/assert.ts";
import { ConfigError, loadConfig, secretApiKeys } from "./config.ts";

const base = {
  SUPABASE_DB_URL: "postgresql://u:p@127.0.0.1:5432/postgres",
  SUPABASE_URL: "http://127.0.0.1:54321",
};

Deno.test("loadConfig names each missing variable", () => {
  const err = assertThrows(() => loadConfig({}), ConfigError);
  assertEquals(err.message.includes("SUPABASE_DB_URL is missing"), true, err.message);
  assertEquals(err.message.includes("SUPABASE_URL is missing"), true, err.message);
});

Deno.test("loadConfig rejects malformed values and applies defaults", () => {
  const err = assertThrows(
    () => loadConfig({ ...base, SUPABASE_DB_URL: "mysql://x" }),
    ConfigError,
  );
  assertEquals(
    err.message.startsWith("Invalid environment: SUPABASE_DB_URL must be a postgres:// URL"),
    true,
    err.message,
  );
  assertThrows(
    () => loadConfig({ ...base, SUPABASE_SECRET_KEYS: "[1]" }),
    /SUPABASE_SECRET_KEYS must be a JSON object/,
  );
  const config = loadConfig(base);
  assertEquals(config.DB_POOL_MAX, 4);
  assertEquals(config.PORT, 8000);
  assertEquals(config.CORS_ALLOWED_ORIGINS, "*");
});

Deno.test("secretApiKeys collects named and single secret keys", () => {
  const config = loadConfig({
    ...base,
    SUPABASE_SECRET_KEYS: '{"default":"sb_secret_a","ci":"sb_secret_b"}',
    SUPABASE_SECRET_KEY: "sb_secret_c",
  });
  assertEquals(secretApiKeys(config), ["sb_secret_a", "sb_secret_b", "sb_secret_c"]);
});

Deno.test("METRICS_TOKEN is optional and, when set, at least 32 characters", () => {
  assertEquals(loadConfig(base).METRICS_TOKEN, undefined);
  assertThrows(
    () => loadConfig({ ...base, METRICS_TOKEN: "short" }),
    /METRICS_TOKEN must be at least 32 characters/,
  );
  const token = "m".repeat(32);
  assertEquals(loadConfig({ ...base, METRICS_TOKEN: token }).METRICS_TOKEN, token);
});
