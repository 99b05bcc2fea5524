/**
 * The Storage simulator's HTTP surface beyond what the ObjectStore adapter uses: error bodies,
 * auth failures, multipart uploads, update(), HEAD, public URLs and signed upload URLs, through
 * supabase-js or raw fetch against the test gateway.
 */
import { createClient } from "@supabase/supabase-js";
import { assertEquals, assertOk } from "../support/assert.ts";
import { createTestUser, deleteTestUsers, stack, withDb } from "../support/stack.ts";

const storageUrl = () => `${stack.gatewayUrl}/storage/v1`;
const serviceKey = () => Deno.env.get("SUPABASE_SERVICE_ROLE_KEY")!;
const client = (key: string, token?: string) =>
  createClient(stack.gatewayUrl, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    global: { headers: token ? { Authorization: `Bearer ${token}` } : {} },
  });
const json = async (res: Response) => [res.status, await res.json()];

Deno.test("storage simulator: errors are HTTP 400 with the real status and legacy error in the body", async () => {
  const headers = { authorization: `Bearer ${serviceKey()}` };
  const missing = await fetch(`${storageUrl()}/object/workspace-temp/${crypto.randomUUID()}/x`, {
    headers,
  });
  assertEquals(await json(missing), [400, {
    statusCode: "404",
    code: "NoSuchKey",
    error: "not_found",
    message: "Object not found",
  }]);
  const noBucket = await fetch(`${storageUrl()}/object/no-such-bucket/a/x.png`, {
    method: "POST",
    headers: { ...headers, "content-type": "image/png" },
    body: new Uint8Array([1]),
  });
  assertEquals(await json(noBucket), [400, {
    statusCode: "404",
    code: "NoSuchBucket",
    error: "Bucket not found",
    message: "Bucket not found",
  }]);
  const route = await fetch(`${storageUrl()}/nowhere`, { headers });
  assertEquals(route.status, 404);
  await route.body?.cancel();
});

Deno.test("storage simulator: a bad or missing token reads as anonymous, writes as 403 or 400 (D2-D4)", async () => {
  const path = `${crypto.randomUUID()}/a.png`;
  const service = client(serviceKey()).storage.from("workspace-temp");
  try {
    assertEquals(
      (await service.upload(path, new Uint8Array([1]), { contentType: "image/png" })).error,
      null,
    );
    const forged = serviceKey().slice(0, -4) + "AAAA";
    for (const auth of [{ authorization: `Bearer ${forged}` }, {} as Record<string, string>]) {
      const read = await fetch(`${storageUrl()}/object/workspace-temp/${path}`, { headers: auth });
      assertEquals((await json(read))[1].code, "NoSuchKey", "a read falls back to anon");
      const info = await fetch(`${storageUrl()}/object/info/workspace-temp/${path}`, {
        headers: auth,
      });
      assertEquals((await json(info))[1].code, "NoSuchKey");
    }
    const write = await fetch(`${storageUrl()}/object/list/workspace-temp`, {
      method: "POST",
      headers: { authorization: `Bearer ${forged}`, "content-type": "application/json" },
      body: JSON.stringify({ prefix: "" }),
    });
    const [status, body] = await json(write);
    assertEquals([status, body.statusCode, body.code, body.error], [
      400,
      "403",
      "AccessDenied",
      "Unauthorized",
    ]);
    const none = await fetch(`${storageUrl()}/object/list/workspace-temp`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ prefix: "" }),
    });
    assertEquals((await json(none))[1], {
      statusCode: "400",
      code: "InvalidRequest",
      error: "Bad Request",
      message: "headers must have required property 'authorization'",
    });
  } finally {
    await service.remove([path]);
  }
});

Deno.test("storage simulator: multipart (Blob) upload, update(), HEAD and public URLs", async () => {
  const storage = client(serviceKey()).storage;
  const path = `${crypto.randomUUID()}/a.png`;
  try {
    const blob = new Blob([new Uint8Array([1, 2, 3])], { type: "image/png" });
    const up = await storage.from("avatars").upload(path, blob, { cacheControl: "60" });
    assertEquals(up.error, null);
    assertEquals(up.data?.fullPath, `avatars/${path}`);
    const upd = await storage.from("avatars").update(path, new Uint8Array([4, 5]), {
      contentType: "image/webp",
    });
    assertEquals(upd.error, null);
    const head = await fetch(`${storageUrl()}/object/avatars/${path}`, {
      method: "HEAD",
      headers: { authorization: `Bearer ${serviceKey()}` },
    });
    assertEquals(
      [head.status, head.headers.get("content-type"), head.headers.get("content-length")],
      [200, "image/webp", "2"],
    );
    const publicUrl = storage.from("avatars").getPublicUrl(path).data.publicUrl;
    const pub = await fetch(publicUrl);
    assertEquals([pub.status, [...new Uint8Array(await pub.arrayBuffer())]], [200, [4, 5]]);
    const priv = await fetch(publicUrl.replace("/avatars/", "/workspace-temp/"));
    assertEquals((await json(priv))[1].code, "NoSuchBucket");
    const blobUp = await storage.from("avatars").upload(`${path}.gif`, new Blob(["x"]), {});
    assertEquals((blobUp.error as { statusCode?: string })?.statusCode, "415");
  } finally {
    await storage.from("avatars").remove([path]);
  }
});

Deno.test("storage simulator: a signed upload URL writes as its creator, once", async () => {
  await withDb(async (sql) => {
    const user = await createTestUser(sql);
    const anonKey = Deno.env.get("SUPABASE_ANON_KEY")!;
    const storage = client(anonKey, user.jwt).storage.from("workspace-temp");
    const path = `${user.id}/${crypto.randomUUID()}.png`;
    try {
      const denied = await storage.createSignedUploadUrl(`${crypto.randomUUID()}/x.png`);
      assertEquals(denied.error?.message, "new row violates row-level security policy");
      const signed = await storage.createSignedUploadUrl(path);
      assertOk(signed.data, String(signed.error));
      const put = await client(anonKey).storage.from("workspace-temp")
        .uploadToSignedUrl(path, signed.data.token, new Uint8Array([9]), {
          contentType: "image/png",
        });
      assertEquals(put.error, null);
      const [row] = await sql<{ owner: string }[]>`
        select owner from storage.objects where bucket_id = 'workspace-temp' and name = ${path}`;
      assertEquals(row.owner, user.id);
      const again = await client(anonKey).storage.from("workspace-temp")
        .uploadToSignedUrl(path, signed.data.token, new Uint8Array([9]), {
          contentType: "image/png",
        });
      assertEquals((again.error as { statusCode?: string })?.statusCode, "409");
    } finally {
      await client(serviceKey()).storage.from("workspace-temp").remove([path]);
      await deleteTestUsers(sql, user);
    }
  });
});
