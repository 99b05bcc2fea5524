import { assertEquals } from "../../tests/support/assert.ts";
import {
  createSecretLookup,
  isPlatformSecretName,
  KNOWN_PROVIDER_SECRETS,
  providerSecretAllowlist,
} from "./provider_secrets.ts";

const env = new Map([
  ["REPLICATE_API_TOKEN", "r8_x"],
  ["JWT_SECRET", "jwt"],
  ["SUPABASE_SERVICE_ROLE_KEY", "service"],
  ["SUPABASE_DB_URL", "postgres://"],
  ["DB_POOLER_URL", "postgres://"],
  ["FAL_KEY", "fal"],
]);

Deno.test("the allowlist serves known provider secrets and what the operator adds", () => {
  const refused: string[] = [];
  const lookup = createSecretLookup(
    (k) => env.get(k),
    providerSecretAllowlist("FAL_KEY, not a name"),
    (n) => refused.push(n),
  );
  assertEquals(lookup("REPLICATE_API_TOKEN"), "r8_x");
  assertEquals(lookup("FAL_KEY"), "fal");
  assertEquals(lookup("OPENAI_API_KEY"), undefined, "allowed but unset");
  assertEquals(refused, []);
  assertEquals(KNOWN_PROVIDER_SECRETS.every((n) => !isPlatformSecretName(n)), true);
});

Deno.test("platform secrets are refused even when an operator lists them", () => {
  const refused: string[] = [];
  const allowlist = providerSecretAllowlist(
    "JWT_SECRET,SUPABASE_SERVICE_ROLE_KEY,SUPABASE_DB_URL,DB_POOLER_URL,OPENROUTER_BROADCAST_SECRET",
  );
  for (const name of ["JWT_SECRET", "SUPABASE_SERVICE_ROLE_KEY", "SUPABASE_DB_URL"]) {
    assertEquals(allowlist.has(name), false, name);
  }
  const lookup = createSecretLookup(
    (k) => env.get(k),
    new Set(["JWT_SECRET", "SUPABASE_SERVICE_ROLE_KEY", "supabase_db_url"]),
    (n) => refused.push(n),
  );
  assertEquals(lookup("JWT_SECRET"), undefined);
  assertEquals(lookup("SUPABASE_SERVICE_ROLE_KEY"), undefined);
  assertEquals(lookup("supabase_db_url"), undefined);
  assertEquals(lookup("SOMETHING_ELSE"), undefined, "not on the list");
  assertEquals(refused, [
    "JWT_SECRET",
    "SUPABASE_SERVICE_ROLE_KEY",
    "supabase_db_url",
    "SOMETHING_ELSE",
  ]);
});
