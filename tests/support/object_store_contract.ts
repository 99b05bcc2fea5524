/**
 * Variants and helpers of the ObjectStore contract suite (tests/integration/
 * object_store_contract_test.ts): the simulator behind the test gateway always, and a real
 * Supabase Storage when STORAGE_CONTRACT_URL and STORAGE_CONTRACT_SERVICE_KEY are set.
 */
import { createTestUser, deleteTestUsers, stack, withDb } from "./stack.ts";
import { createDb, type Sql } from "../../shared/db/client.ts";
import { mintUserJwt } from "../../scripts/lib/local_keys.ts";
import type { ObjectRef, ObjectStore } from "../../shared/storage/object_store.ts";
import { ObjectStoreError } from "../../shared/storage/storage_errors.ts";
import { createSupabaseObjectStore } from "../../shared/storage/supabase_object_store.ts";
import { assertEquals, assertRejects } from "./assert.ts";

export interface User {
  id: string;
  jwt: string;
}

export interface Variant {
  name: string;
  url: string;
  serviceKey: string;
  anonKey?: string;
  /** Creates users the Storage under test accepts, or undefined when it cannot. */
  users?: () => { create(): Promise<User>; done(): Promise<void> };
  /** Runs `fn` against the database behind the Storage under test (simulator only). */
  db?: <T>(fn: (sql: Sql) => Promise<T>) => Promise<T>;
}

export const variants: Variant[] = [{
  name: "simulator",
  url: stack.gatewayUrl,
  serviceKey: Deno.env.get("SUPABASE_SERVICE_ROLE_KEY") ?? "",
  anonKey: Deno.env.get("SUPABASE_ANON_KEY"),
  users: () => userPool(createDb(stack.dbUrl, { max: 2 }), createTestUser, deleteTestUsers),
  db: withDb,
}];
const realUrl = Deno.env.get("STORAGE_CONTRACT_URL");
const realKey = Deno.env.get("STORAGE_CONTRACT_SERVICE_KEY");
if (realUrl && realKey) {
  const dbUrl = Deno.env.get("STORAGE_CONTRACT_DB_URL");
  const secret = Deno.env.get("STORAGE_CONTRACT_JWT_SECRET");
  variants.push({
    name: "real Storage",
    url: realUrl,
    serviceKey: realKey,
    anonKey: Deno.env.get("STORAGE_CONTRACT_ANON_KEY"),
    users: dbUrl && secret
      ? () => userPool(createDb(dbUrl, { max: 2 }), (sql) => insertUser(sql, secret), deleteUsers)
      : undefined,
  });
} else {
  console.log(
    "note: object_store_contract: the real-Storage variant is NOT registered " +
      "(set STORAGE_CONTRACT_URL and STORAGE_CONTRACT_SERVICE_KEY to run it)",
  );
}

export const png = (n: number) => {
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return bytes;
};
export const folder = () => `${crypto.randomUUID()}/${crypto.randomUUID()}`;
export const readAll = async (body: ReadableStream<Uint8Array>) =>
  new Uint8Array(await new Response(body).arrayBuffer());
export const streamOf = (bytes: Uint8Array, chunk = 64 * 1024) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < bytes.length; i += chunk) c.enqueue(bytes.slice(i, i + chunk));
      c.close();
    },
  });

export async function rejectsWith(fn: () => Promise<unknown>, code: string, status?: number) {
  const err = await assertRejects(fn, ObjectStoreError);
  assertEquals((err as ObjectStoreError).code, code, err.message);
  if (status) assertEquals((err as ObjectStoreError).status, status);
}

/** Runs `fn` with the service store and removes every ref it registers afterwards. */
export async function withObjects(
  v: Variant,
  fn: (s: ObjectStore, track: (r: ObjectRef) => ObjectRef) => Promise<void>,
) {
  const store = createSupabaseObjectStore({ url: v.url, key: v.serviceKey });
  const refs: ObjectRef[] = [];
  try {
    await fn(store, (r) => (refs.push(r), r));
  } finally {
    for (const bucket of new Set(refs.map((r) => r.bucket))) {
      await store.remove(bucket, refs.filter((r) => r.bucket === bucket).map((r) => r.path));
    }
  }
}

export function userPool<U extends User>(
  sql: Sql,
  make: (sql: Sql) => Promise<U>,
  drop: (sql: Sql, ...users: U[]) => Promise<void>,
) {
  const made: U[] = [];
  return {
    create: async () => {
      const u = await make(sql);
      made.push(u);
      return u;
    },
    done: async () => {
      try {
        if (made.length) await drop(sql, ...made);
      } finally {
        await sql.end({ timeout: 1 });
      }
    },
  };
}

export async function insertUser(sql: Sql, secret: string): Promise<User> {
  const id = crypto.randomUUID();
  const email = `storage-contract-${id}@example.test`;
  await sql`insert into auth.users (id, email) values (${id}, ${email})`;
  return { id, jwt: await mintUserJwt(id, { secret, email }) };
}

export async function deleteUsers(sql: Sql, ...users: User[]): Promise<void> {
  await sql`delete from auth.users where id = any(${users.map((u) => u.id)}::uuid[])`;
}
