/**
 * What `npm test` started for the Deno tests (passed in TEST_* variables), and fixtures that
 * create and remove their own data. Tests never depend on seed.sql.
 */
import { createDb, type Sql } from "../../shared/db/client.ts";
import { mintUserJwt } from "../../scripts/lib/local_keys.ts";

function required(name: string): string {
  const value = Deno.env.get(name);
  if (!value) throw new Error(`${name} is not set: run the tests with \`npm test\``);
  return value;
}

/** The test stack's endpoints and secrets. */
export const stack = {
  get dbUrl() {
    return required("TEST_DB_URL");
  },
  get gatewayUrl() {
    return required("TEST_GATEWAY_URL");
  },
  get jwtSecret() {
    return required("JWT_SECRET");
  },
  get secretKey(): string {
    return JSON.parse(required("SUPABASE_SECRET_KEYS")).default;
  },
  get functionPorts(): Record<string, number> {
    return JSON.parse(required("TEST_FUNCTION_PORTS"));
  },
};

/** Runs `fn` with a small pool on the test database, closed afterwards. */
export async function withDb<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
  const sql = createDb(stack.dbUrl, { max: 2 });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** A user created for one test. */
export interface TestUser {
  id: string;
  email: string;
  jwt: string;
  claims: { sub: string; role: string; aud: string; email: string };
}

/** Creates an auth user (firing the real sign-up trigger) and a valid access token. */
export async function createTestUser(sql: Sql, opts: { admin?: boolean } = {}): Promise<TestUser> {
  const id = crypto.randomUUID();
  const email = `test-${id}@example.test`;
  await sql`insert into auth.users (id, email, raw_user_meta_data) values (${id}, ${email}, ${
    sql.json({})
  })`;
  if (opts.admin) await sql`insert into public.user_roles (user_id, role) values (${id}, 'admin')`;
  const jwt = await mintUserJwt(id, { secret: stack.jwtSecret, email });
  return {
    id,
    email,
    jwt,
    claims: { sub: id, role: "authenticated", aud: "authenticated", email },
  };
}

/** Removes test users (their rows cascade). */
export async function deleteTestUsers(sql: Sql, ...users: TestUser[]): Promise<void> {
  await sql`delete from auth.users where id = any(${users.map((u) => u.id)}::uuid[])`;
}
