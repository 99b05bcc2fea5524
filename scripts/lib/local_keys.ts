/**
 * The Supabase CLI's local defaults, so clients configured for `supabase start` work unchanged
 * against `npm run dev`. These are public, well-known development values, never production keys.
 */
import * as jose from "jose";

/** The CLI's local JWT secret. */
export const LOCAL_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";

/** The CLI's standard local anon key (HS256, signed with {@link LOCAL_JWT_SECRET}). */
export const LOCAL_ANON_KEY =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0";

/** The CLI's standard local service_role key. */
export const LOCAL_SERVICE_ROLE_KEY =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU";

/** Seeded demo user and admin (seed.sql). */
export const DEMO_USER_ID = "a0000000-0000-4000-8000-000000000001";
export const DEMO_ADMIN_ID = "a0000000-0000-4000-8000-000000000002";

/** Mints a user access token like Supabase Auth's (HS256, aud/role authenticated). */
export async function mintUserJwt(
  userId: string,
  opts: { secret?: string; email?: string; ttlSeconds?: number; issuer?: string } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return await new jose.SignJWT({
    role: "authenticated",
    email: opts.email,
    aal: "aal1",
    session_id: crypto.randomUUID(),
    is_anonymous: false,
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(userId)
    .setAudience("authenticated")
    .setIssuer(opts.issuer ?? "http://127.0.0.1:54321/auth/v1")
    .setIssuedAt(now)
    .setExpirationTime(now + (opts.ttlSeconds ?? 3600))
    .sign(new TextEncoder().encode(opts.secret ?? LOCAL_JWT_SECRET));
}
