/**
 * The Supabase CLI's standard local keys (scripts/lib/local_keys.ts), which the dev stack and the
 * tests hand out, against the functions' JWT verifier.
 */
import { createJwtVerifier } from "../../shared/http/auth/jwt_verifier.ts";
import {
  LOCAL_ANON_KEY,
  LOCAL_JWT_SECRET,
  LOCAL_SERVICE_ROLE_KEY,
} from "../../scripts/lib/local_keys.ts";
import { assertEquals } from "../support/assert.ts";

Deno.test("the CLI's standard service_role and anon keys, which carry exp and no iat, still verify", async () => {
  const verify = createJwtVerifier({ jwtSecret: LOCAL_JWT_SECRET });
  assertEquals((await verify(LOCAL_SERVICE_ROLE_KEY)).role, "service_role");
  assertEquals((await verify(LOCAL_ANON_KEY)).role, "anon");
});
