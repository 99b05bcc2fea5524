import * as jose from "jose";
import { assertEquals, assertRejects } from "../../../tests/support/assert.ts";
import { createJwtVerifier } from "./jwt_verifier.ts";
import { rememberVerified } from "./verified_cache.ts";

const SECRET = "a-test-secret-of-at-least-thirty-two-characters";

async function sign(exp: number, secret = SECRET): Promise<string> {
  return await new jose.SignJWT({ role: "authenticated", aud: "authenticated" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(crypto.randomUUID())
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(secret));
}

Deno.test("a remembered token is still refused once it expires", async () => {
  let nowMs = Date.UTC(2026, 0, 1);
  const verify = createJwtVerifier({
    jwtSecret: SECRET,
    clockTolerance: 0,
    now: () => new Date(nowMs),
  });
  const token = await sign(nowMs / 1000 + 30);
  const first = await verify(token);
  assertEquals((await verify(token)).sub, first.sub);
  nowMs += 31_000;
  await assertRejects(() => verify(token), Error, "Token expired");
});

Deno.test("remembering a token never lets another signature through", async () => {
  const verify = createJwtVerifier({ jwtSecret: SECRET });
  const exp = Math.floor(Date.now() / 1000) + 600;
  await verify(await sign(exp));
  const forged = await sign(exp, "another-secret-of-at-least-thirty-two-chars");
  await assertRejects(() => verify(forged), Error, "Invalid token");
});

Deno.test("a remembered token is verified afresh after the cache time; the memory is bounded", async () => {
  let nowMs = Date.UTC(2026, 0, 1);
  const calls: string[] = [];
  const verify = rememberVerified((t) => {
    calls.push(t);
    return Promise.resolve({ sub: t, exp: nowMs / 1000 + 3600 });
  }, { ttlMs: 60_000, size: 2, toleranceMs: 0, now: () => nowMs });
  await verify("a");
  nowMs += 30_000;
  await verify("a");
  assertEquals(calls, ["a"]);
  nowMs += 31_000;
  await verify("a");
  assertEquals(calls, ["a", "a"]);
  // Size 2: "b" and "c" push "a" out, so it is verified again.
  await verify("b");
  await verify("c");
  await verify("a");
  assertEquals(calls, ["a", "a", "b", "c", "a"]);
});

Deno.test("a refused token is never remembered", async () => {
  let ok = false;
  const verify = rememberVerified(
    () => ok ? Promise.resolve({ sub: "x", exp: 3600 }) : Promise.reject(new Error("refused")),
    {
      ttlMs: 60_000,
      size: 10,
      toleranceMs: 0,
      now: () => 0,
    },
  );
  await assertRejects(() => verify("t"), Error, "refused");
  ok = true;
  assertEquals((await verify("t")).sub, "x");
  ok = false;
  assertEquals((await verify("t")).sub, "x");
});

/** Signs `claims` (times in seconds, exactly as given) with {@link SECRET}. */
function signClaims(claims: jose.JWTPayload, secret = SECRET): Promise<string> {
  return new jose.SignJWT({ role: "authenticated", aud: "authenticated", ...claims })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(crypto.randomUUID())
    .sign(new TextEncoder().encode(secret));
}

Deno.test("exp is required; iat and nbf may be ahead only by the clock tolerance", async () => {
  const nowMs = Date.UTC(2026, 0, 1);
  const now = nowMs / 1000;
  const verify = createJwtVerifier({ jwtSecret: SECRET, now: () => new Date(nowMs) });
  const day = 24 * 3600;
  const cases: [string, jose.JWTPayload, string][] = [
    ["no exp", { iat: now }, 'Token claim "exp" is missing'],
    ["no exp, no iat", {}, 'Token claim "exp" is missing'],
    ["iat a day ahead", { iat: now + day, exp: now + day + 3600 }, 'Token claim "iat" is invalid'],
    ["iat a minute ahead", { iat: now + 60, exp: now + 3600 }, 'Token claim "iat" is invalid'],
    ["nbf a minute ahead", { nbf: now + 60, exp: now + 3600 }, 'Token claim "nbf" is invalid'],
    ["expired a minute ago", { iat: now - 3600, exp: now - 60 }, "Token expired"],
    [
      "iat not a number",
      { iat: "soon" as unknown as number, exp: now + 60 },
      'Token claim "iat" is invalid',
    ],
  ];
  const seen: string[] = [];
  for (const [what, claims] of cases) {
    seen.push(
      await verify(await signClaims(claims)).then(
        () => `${what}: accepted`,
        (err) => `${what}: ${err.status} ${err.message}`,
      ),
    );
  }
  assertEquals(seen, cases.map(([what, , message]) => `${what}: 401 ${message}`));
  // Within the tolerance (a client's clock a little ahead or behind ours): accepted.
  for (
    const claims of [
      { iat: now + 10, exp: now + 3600 },
      { nbf: now + 10, iat: now + 10, exp: now + 3600 },
      { iat: now - 3600, exp: now - 10 },
    ]
  ) {
    assertEquals(typeof (await verify(await signClaims(claims))).sub, "string");
  }
});

Deno.test("a verification without exp is never remembered", async () => {
  let calls = 0;
  const verify = rememberVerified(() => {
    calls++;
    return Promise.resolve({ sub: "x" });
  }, { ttlMs: 60_000, size: 10, toleranceMs: 0, now: () => 0 });
  await verify("t");
  await verify("t");
  assertEquals(calls, 2);
});
