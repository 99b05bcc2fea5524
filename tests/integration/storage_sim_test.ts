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

Deno.test("storage simulator: errors are HTTP 400 with the real status in the body", async () => {
  const headers = { authorization: `Bearer ${serviceKey()}`, apikey: serviceKey() };
  const missing = await fetch(`${storageUrl()}/object/workspace-temp/${crypto.randomUUID()}/x`, {
    headers,
  });
  assertEquals(await json(missing), [400, {
    statusCode: "404",
    code: "NoSuchKey",
    error: "NoSuchKey",
    message: "Object not found",
  }]);
  const forged = serviceKey().slice(0, -4) + "AAAA";
  const bad = await fetch(`${storageUrl()}/object/workspace-temp/a/b.png`, {
    headers: { authorization: `Bearer ${forged}` },
  });
  assertEquals(await json(bad), [400, {
    statusCode: "400",
    code: "InvalidJWT",
    error: "InvalidJWT",
    message: "invalid signature",
  }]);
  const none = await fetch(`${storageUrl()}/object/workspace-temp/a/b.png`);
  assertEquals((await json(none))[1].code, "InvalidJWT");
  const route = await fetch(`${storageUrl()}/nowhere`, { headers });
  assertEquals(route.status, 404);
  await route.body?.cancel();
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
