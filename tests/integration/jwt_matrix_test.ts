import { assertEquals } from "../support/assert.ts";
import * as jose from "jose";
import { createTestApp } from "../support/test_app.ts";
import { createTestUser, deleteTestUsers, stack, withDb } from "../support/stack.ts";
import { LOCAL_ANON_KEY, LOCAL_SERVICE_ROLE_KEY } from "../../scripts/lib/local_keys.ts";

const ISSUER = "https://project.example.test/auth/v1";

/** Serves a JWKS with one ES256 key, as Supabase does for projects on the new signing keys. */
async function withJwks<T>(
  fn: (
    ctx: {
      url: string;
      sign: (claims: jose.JWTPayload, opts?: { kid?: string; key?: CryptoKey }) => Promise<string>;
    },
  ) => Promise<T>,
) {
  const { privateKey, publicKey } = await jose.generateKeyPair("ES256", { extractable: true });
  const jwk = { ...await jose.exportJWK(publicKey), kid: "key-1", alg: "ES256", use: "sig" };
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    () => Response.json({ keys: [jwk] }),
  );
  try {
    return await fn({
      url: `http://127.0.0.1:${server.addr.port}/auth/v1/.well-known/jwks.json`,
      sign: (claims, opts = {}) =>
        new jose.SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: opts.kid ?? "key-1" })
          .setIssuedAt().setExpirationTime("5m").sign(opts.key ?? privateKey),
    });
  } finally {
    await server.shutdown();
  }
}

const hs = (claims: jose.JWTPayload, secret = stack.jwtSecret, exp: string | number = "5m") =>
  new jose.SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setIssuedAt().setExpirationTime(exp)
    .sign(new TextEncoder().encode(secret));

// HS256 with exactly the time claims given (none added).
const hsAt = (claims: jose.JWTPayload) =>
  new jose.SignJWT(claims).setProtectedHeader({ alg: "HS256" }).sign(
    new TextEncoder().encode(stack.jwtSecret),
  );

Deno.test("user routes accept valid tokens and refuse every bad one with a 401 envelope", async () => {
  await withDb(async (sql) => {
    const user = await createTestUser(sql);
    try {
      await withJwks(async (jwks) => {
        const app = createTestApp({
          db: sql,
          verifier: { jwtSecret: stack.jwtSecret, jwksUrl: jwks.url, issuer: ISSUER },
        });
        const call = (auth?: string) =>
          app.request("/guarded/user", {
            headers: auth === undefined ? {} : { authorization: auth },
          });
        const userClaims = { sub: user.id, role: "authenticated", aud: "authenticated" };
        const otherKey = (await jose.generateKeyPair("ES256")).privateKey;
        const now = Math.floor(Date.now() / 1000);
        const noneToken = `${
          btoa(JSON.stringify({ alg: "none", typ: "JWT" })).replace(/=+$/, "")
        }.${btoa(JSON.stringify({ ...userClaims, exp: now + 300 })).replace(/=+$/, "")}.`;

        const ok = await call(`Bearer ${user.jwt}`);
        assertEquals(ok.status, 200, "valid HS256");
        assertEquals((await ok.json()).user_id, user.id);
        const es = await call(`Bearer ${await jwks.sign({ ...userClaims, iss: ISSUER })}`);
        assertEquals(es.status, 200, `valid ES256 through JWKS: ${await es.clone().text()}`);
        // A client clock a few seconds ahead of ours is within the tolerance.
        const ahead = await call(
          `Bearer ${await hsAt({ ...userClaims, iat: now + 10, exp: now + 300 })}`,
        );
        assertEquals(ahead.status, 200, `iat 10 s ahead: ${await ahead.clone().text()}`);

        const cases: [string, string | undefined][] = [
          ["expired", `Bearer ${await hs({ ...userClaims }, stack.jwtSecret, now - 60)}`],
          ["no exp (valid forever)", `Bearer ${await hsAt({ ...userClaims, iat: now })}`],
          [
            "iat a day in the future",
            `Bearer ${await hsAt({ ...userClaims, iat: now + 86_400, exp: now + 90_000 })}`,
          ],
          [
            "not yet valid",
            `Bearer ${await new jose.SignJWT(userClaims).setProtectedHeader({ alg: "HS256" })
              .setNotBefore(now + 600).setExpirationTime(now + 900).sign(
                new TextEncoder().encode(stack.jwtSecret),
              )}`,
          ],
          [
            "wrong HS256 secret",
            `Bearer ${await hs(userClaims, "another-secret-that-is-at-least-32-characters")}`,
          ],
          [
            "ES256 with an unknown key",
            `Bearer ${await jwks.sign({ ...userClaims, iss: ISSUER }, { key: otherKey })}`,
          ],
          [
            "ES256 from another issuer",
            `Bearer ${await jwks.sign({ ...userClaims, iss: "https://evil.example/auth/v1" })}`,
          ],
          ["alg none", `Bearer ${noneToken}`],
          ["wrong audience", `Bearer ${await hs({ ...userClaims, aud: "other" })}`],
          ["anon key", `Bearer ${LOCAL_ANON_KEY}`],
          ["service role key on a user route", `Bearer ${LOCAL_SERVICE_ROLE_KEY}`],
          ["garbage", "Bearer not.a.jwt"],
          ["not a bearer header", `Basic ${btoa("a:b")}`],
          ["missing header", undefined],
        ];
        for (const [name, header] of cases) {
          const res = await call(header);
          const body = await res.json();
          assertEquals(res.status, 401, `${name}: ${JSON.stringify(body)}`);
          assertEquals(body.error.code, "UNAUTHORIZED", name);
          assertEquals(typeof body.error.request_id, "string", name);
          assertEquals(
            res.headers.get("access-control-allow-origin"),
            "*",
            `${name}: CORS on errors`,
          );
        }
      });
    } finally {
      await deleteTestUsers(sql, user);
    }
  });
});

Deno.test("the CLI's local keys are signed with the local secret (anon and service_role)", async () => {
  const secret = new TextEncoder().encode(stack.jwtSecret);
  assertEquals((await jose.jwtVerify(LOCAL_ANON_KEY, secret)).payload.role, "anon");
  assertEquals((await jose.jwtVerify(LOCAL_SERVICE_ROLE_KEY, secret)).payload.role, "service_role");
});

Deno.test("service routes take a service_role JWT or a secret API key, nothing else", async () => {
  await withDb(async (sql) => {
    const user = await createTestUser(sql);
    try {
      const secretKey = "sb_secret_" + crypto.randomUUID();
      const app = createTestApp({
        db: sql,
        verifier: { jwtSecret: stack.jwtSecret },
        secretKeys: [secretKey],
      });
      const call = (headers: Record<string, string>) =>
        app.request("/guarded/service", { method: "POST", headers });
      assertEquals((await call({ authorization: `Bearer ${LOCAL_SERVICE_ROLE_KEY}` })).status, 200);
      assertEquals((await call({ apikey: secretKey })).status, 200);
      assertEquals((await call({ apikey: secretKey + "x" })).status, 401);
      assertEquals((await call({ authorization: `Bearer ${user.jwt}` })).status, 403);
      assertEquals((await call({ authorization: `Bearer ${LOCAL_ANON_KEY}` })).status, 403);
      assertEquals((await call({})).status, 401);
    } finally {
      await deleteTestUsers(sql, user);
    }
  });
});

Deno.test("admin routes need the admin role from user_roles", async () => {
  await withDb(async (sql) => {
    const user = await createTestUser(sql);
    const admin = await createTestUser(sql, { admin: true });
    try {
      const app = createTestApp({ db: sql, verifier: { jwtSecret: stack.jwtSecret } });
      const call = (jwt: string) =>
        app.request("/guarded/admin", { headers: { authorization: `Bearer ${jwt}` } });
      assertEquals((await call(admin.jwt)).status, 200);
      const denied = await call(user.jwt);
      assertEquals(denied.status, 403);
      assertEquals((await denied.json()).error.code, "FORBIDDEN");
    } finally {
      await deleteTestUsers(sql, user, admin);
    }
  });
});
