/**
 * workspace-actions when a step fails halfway, in process: the app is built with the function's
 * own factory and real dependencies, plus a test seam that fails between the copy and the insert
 * (no HTTP request can reach it), or with a Storage that refuses our key or cannot be reached.
 * Nothing is left behind: no orphaned object, no lost asset.
 */
import * as jose from "jose";
import { assertEquals, assertOk } from "../support/assert.ts";
import { loadConfig } from "../../shared/config.ts";
import { createGroupCommit } from "../../shared/db/group_commit.ts";
import { buildFunctionDeps } from "../../shared/http/function_deps.ts";
import { createLogger, type Logger } from "../../shared/log.ts";
import { createSupabaseObjectStore } from "../../shared/storage/supabase_object_store.ts";
import type { ObjectStore } from "../../shared/storage/object_store.ts";
import { serviceObjectStore } from "../../shared/storage/service_store.ts";
import { createWorkspaceActionsApp } from "../../functions/workspace-actions/app.ts";
import type { WorkspaceHooks } from "../../functions/workspace-actions/deps.ts";
import { createTestUser, stack, type TestUser, withDb } from "../support/stack.ts";
import {
  cleanupWorkspace,
  makeAsset,
  makeJob,
  objectNames,
  readObject,
  wa,
} from "../support/workspace.ts";

type Row = Record<string, unknown>;

async function withApp(
  opts: { hooks?: WorkspaceHooks; store?: (log: Logger) => ObjectStore },
  fn: (
    call: (
      user: TestUser,
      method: string,
      path: string,
    ) => Promise<{ status: number; body: Row; headers: Headers }>,
    lines: string[],
  ) => Promise<void>,
) {
  const config = loadConfig(Deno.env.toObject());
  const lines: string[] = [];
  const base = buildFunctionDeps(config, "workspace-actions");
  const log = createLogger({ level: "warn", sink: (l) => void lines.push(l) });
  const store = serviceObjectStore(config, log);
  const app = createWorkspaceActionsApp({
    ...base,
    log,
    commits: createGroupCommit(base.db),
    store: opts.store ? opts.store(log) : store,
    hooks: opts.hooks,
  });
  try {
    await fn(async (user, method, path) => {
      const res = await app.request(`/workspace-actions${path}`, {
        method,
        headers: { authorization: `Bearer ${user.jwt}` },
      });
      return { status: res.status, body: await res.json(), headers: res.headers };
    }, lines);
  } finally {
    await base.db.end({ timeout: 1 });
  }
}

const injected = () => {
  throw new Error("injected failure between the copy and the insert");
};

Deno.test("a save failing between copy and insert leaves no object and keeps the asset; the retry saves once", async () => {
  await withDb(async (sql) => {
    const user = await createTestUser(sql);
    try {
      const asset = await makeAsset(sql, user, { thumbnail: true });
      await withApp({ hooks: { afterLibraryCopy: injected } }, async (call) => {
        const res = await call(user, "POST", `/assets/${asset.id}/save`);
        assertEquals(res.status, 500, JSON.stringify(res.body));
      });
      assertEquals(
        (await sql`select 1 from public.user_library where user_id = ${user.id}`).length,
        0,
      );
      assertEquals(await objectNames(sql, "user-library", `${user.id}/`), [], "copies removed");
      assertEquals(await readObject("workspace-temp", asset.path), asset.bytes, "asset intact");
      const retry = await wa(user, "POST", `/assets/${asset.id}/save`);
      assertEquals([retry.status, retry.body.created], [200, true]);
      assertEquals((await objectNames(sql, "user-library", `${user.id}/`)).length, 2);
    } finally {
      await cleanupWorkspace(sql, user);
    }
  });
});

Deno.test("an insert the database refuses (a duplicate job output) removes the copy: 409, nothing left", async () => {
  await withDb(async (sql) => {
    const user = await createTestUser(sql);
    try {
      const job = await makeJob(sql, user);
      const asset = await makeAsset(sql, user, { jobId: job, index: 0 });
      // The library already holds this job's output 0 (unique on source_job_id, asset_index).
      await sql`insert into public.user_library (user_id, asset_type, storage_path, file_size_bytes,
          mime_type, original_prompt, model_used, source_job_id, asset_index)
        values (${user.id}, 'image', ${`${user.id}/elsewhere.png`}, 1, 'image/png', 'p', 'm', ${job}, 0)`;
      const res = await wa(user, "POST", `/assets/${asset.id}/save`);
      assertEquals(res.status, 409, JSON.stringify(res.body));
      assertEquals(await objectNames(sql, "user-library", `${user.id}/`), []);
      assertEquals(
        (await sql`select 1 from public.workspace_assets where id = ${asset.id}`).length,
        1,
      );
    } finally {
      await cleanupWorkspace(sql, user);
    }
  });
});

Deno.test("copy-to-workspace failing between copy and insert leaves no workspace object or row", async () => {
  await withDb(async (sql) => {
    const user = await createTestUser(sql);
    try {
      const asset = await makeAsset(sql, user);
      const item = (await wa(user, "POST", `/assets/${asset.id}/save`)).body.item as Row;
      await wa(user, "POST", `/assets/${asset.id}/discard`);
      await withApp({ hooks: { afterWorkspaceCopy: injected } }, async (call) => {
        assertEquals(
          (await call(user, "POST", `/library/${item.id}/copy-to-workspace`)).status,
          500,
        );
      });
      assertEquals(await objectNames(sql, "workspace-temp", `${user.id}/`), []);
      assertEquals(
        (await sql`select 1 from public.workspace_assets where user_id = ${user.id}`).length,
        0,
      );
      assertEquals(await readObject("user-library", item.path as string), asset.bytes);
      const retry = await wa(user, "POST", `/library/${item.id}/copy-to-workspace`);
      assertEquals([retry.status, retry.body.created], [200, true]);
    } finally {
      await cleanupWorkspace(sql, user);
    }
  });
});

Deno.test("a service key Storage refuses is a 503 logged as configuration, and changes nothing", async () => {
  await withDb(async (sql) => {
    const user = await createTestUser(sql);
    try {
      const asset = await makeAsset(sql, user);
      // A service_role token signed with another project's secret: Storage refuses it.
      const forged = await new jose.SignJWT({ role: "service_role" })
        .setProtectedHeader({ alg: "HS256" }).setIssuedAt().setExpirationTime("1h")
        .sign(crypto.getRandomValues(new Uint8Array(32)));
      await withApp({
        store: (log) => createSupabaseObjectStore({ url: stack.gatewayUrl, key: forged, log }),
      }, async (call, lines) => {
        const save = await call(user, "POST", `/assets/${asset.id}/save`);
        assertEquals([save.status, (save.body.error as Row).code], [503, "UNAVAILABLE"]);
        const discard = await call(user, "POST", `/assets/${asset.id}/discard`);
        assertEquals(discard.status, 503);
        assertOk(
          lines.some((l) => l.includes("storage refused the service key")),
          lines.join("\n"),
        );
      });
      assertEquals(
        (await sql`select 1 from public.workspace_assets where id = ${asset.id}`).length,
        1,
      );
      assertEquals(await objectNames(sql, "workspace-temp", `${user.id}/`), [asset.path]);
      assertEquals(await objectNames(sql, "user-library", `${user.id}/`), []);
    } finally {
      await cleanupWorkspace(sql, user);
    }
  });
});

Deno.test("Storage out of reach is a 503 with Retry-After, and the asset stays", async () => {
  await withDb(async (sql) => {
    const user = await createTestUser(sql);
    try {
      const asset = await makeAsset(sql, user);
      await withApp({
        store: () => createSupabaseObjectStore({ url: "http://127.0.0.1:9", key: "k" }),
      }, async (call) => {
        const save = await call(user, "POST", `/assets/${asset.id}/save`);
        assertEquals([save.status, save.headers.get("retry-after")], [503, "5"]);
        assertEquals((await call(user, "POST", `/assets/${asset.id}/discard`)).status, 503);
      });
      assertEquals(
        (await sql`select 1 from public.workspace_assets where id = ${asset.id}`).length,
        1,
      );
    } finally {
      await cleanupWorkspace(sql, user);
    }
  });
});
