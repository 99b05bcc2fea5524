/**
 * The Storage simulator behaves like the real Storage server where they were measured to differ
 * (../shared/reference/storage-fidelity.md, D1-D12, D15), through raw HTTP against the test
 * gateway, so the contract suite exercises the adapter against real behaviour.
 */
import { assertEquals, assertOk } from "../support/assert.ts";
import { stack, withDb } from "../support/stack.ts";
import { streamOf } from "../support/object_store_contract.ts";

const base = () => `${stack.gatewayUrl}/storage/v1`;
const key = () => Deno.env.get("SUPABASE_SERVICE_ROLE_KEY")!;
const auth = () => ({ authorization: `Bearer ${key()}` });
const body = async (res: Response) => [res.status, await res.json()];

async function upload(bucket: string, path: string, bytes: BodyInit, contentType = "image/png") {
  const res = await fetch(`${base()}/object/${bucket}/${path}`, {
    method: "POST",
    headers: { ...auth(), "content-type": contentType },
    body: bytes,
  });
  // Read now, so no test leaks a response body.
  const text = await res.text();
  return new Response(text, { status: res.status, headers: res.headers });
}

async function remove(bucket: string, paths: string[]) {
  const res = await fetch(`${base()}/object/${bucket}`, {
    method: "DELETE",
    headers: { ...auth(), "content-type": "application/json" },
    body: JSON.stringify({ prefixes: paths }),
  });
  return await res.json();
}

async function list(bucket: string, payload: Record<string, unknown>) {
  return await fetch(`${base()}/object/list/${bucket}`, {
    method: "POST",
    headers: { ...auth(), "content-type": "application/json" },
    body: JSON.stringify(payload),
  });
}

Deno.test("storage fidelity D1: a streamed upload is not held to the bucket limit; a declared one is", async () => {
  const path = `${crypto.randomUUID()}/big.png`;
  const big = new Uint8Array(10 * 1024 * 1024 + 1);
  try {
    const declared = await upload("reference_images", path, big);
    assertEquals((await body(declared))[1].statusCode, "413");
    const streamed = await upload("reference_images", path, streamOf(big, 1024 * 1024));
    assertEquals(streamed.status, 200, await streamed.text());
  } finally {
    await remove("reference_images", [path]);
  }
});

Deno.test("storage fidelity D5: a Content-Type with parameters or capitals is 415", async () => {
  const path = `${crypto.randomUUID()}/a.png`;
  for (const type of ["image/png; charset=binary", "IMAGE/PNG"]) {
    const [status, err] = await body(
      await upload("workspace-temp", path, new Uint8Array([1]), type),
    );
    assertEquals([status, err.statusCode, err.code, err.error], [
      400,
      "415",
      "InvalidMimeType",
      "invalid_mime_type",
    ]);
  }
});

Deno.test("storage fidelity D6, D11, D12: copy and move skip destination checks; conflicts; move makes a new version", async () => {
  const dir = crypto.randomUUID();
  const src = `${dir}/clip.mp4`;
  try {
    assertEquals(
      (await upload("workspace-temp", src, new Uint8Array(64), "video/mp4")).status,
      200,
    );
    const copy = (to: string, bucket = "reference_images") =>
      fetch(`${base()}/object/copy`, {
        method: "POST",
        headers: { ...auth(), "content-type": "application/json" },
        body: JSON.stringify({
          bucketId: "workspace-temp",
          sourceKey: src,
          destinationKey: to,
          destinationBucket: bucket,
        }),
      });
    // reference_images takes no video, yet Storage copies one in.
    assertEquals((await body(await copy(`${dir}/copied.mp4`)))[0], 200);
    const [, dup] = await body(await copy(`${dir}/copied.mp4`));
    assertEquals([dup.statusCode, dup.code, dup.error], ["409", "KeyAlreadyExists", "Duplicate"]);
    const [, noBucket] = await body(await copy(`${dir}/x.mp4`, "no-such-bucket"));
    assertEquals([noBucket.statusCode, noBucket.code], ["404", "InvalidRequest"]);
    await withDb(async (sql) => {
      const before = await sql`select id, version, metadata from storage.objects
        where bucket_id = 'reference_images' and name = ${`${dir}/copied.mp4`}`;
      await new Promise((r) => setTimeout(r, 5));
      const moved = await fetch(`${base()}/object/move`, {
        method: "POST",
        headers: { ...auth(), "content-type": "application/json" },
        body: JSON.stringify({
          bucketId: "reference_images",
          sourceKey: `${dir}/copied.mp4`,
          destinationKey: `${dir}/moved.mp4`,
        }),
      });
      assertEquals(moved.status, 200);
      await moved.body?.cancel();
      const [after] = await sql`select id, version, metadata from storage.objects
        where bucket_id = 'reference_images' and name = ${`${dir}/moved.mp4`}`;
      assertEquals(after.id, before[0].id, "same id");
      assertOk(after.version !== before[0].version, "new version");
      assertOk(after.metadata.lastModified > before[0].metadata.lastModified, "new lastModified");
    });
    await upload("workspace-temp", `${dir}/other.mp4`, new Uint8Array(1), "video/mp4");
    const onto = await fetch(`${base()}/object/move`, {
      method: "POST",
      headers: { ...auth(), "content-type": "application/json" },
      body: JSON.stringify({
        bucketId: "workspace-temp",
        sourceKey: `${dir}/other.mp4`,
        destinationKey: src,
      }),
    });
    const [, exists] = await body(onto);
    assertEquals([exists.statusCode, exists.code, exists.error], [
      "409",
      "ResourceAlreadyExists",
      "Duplicate",
    ]);
  } finally {
    await remove("workspace-temp", [src, `${dir}/other.mp4`]);
    await remove("reference_images", [`${dir}/copied.mp4`, `${dir}/moved.mp4`]);
  }
});

Deno.test("storage fidelity D7-D10: list order, case-insensitive prefix, missing bucket, limit 0", async () => {
  const dir = crypto.randomUUID();
  const names = ["_u.png", "aa/x.png", "b.png", "B2.png", "C.png", "aa.png"];
  try {
    for (const n of names) await upload("workspace-temp", `${dir}/${n}`, new Uint8Array(1));
    const [status, entries] = await body(await list("workspace-temp", { prefix: dir }));
    assertEquals(status, 200);
    assertEquals(entries.map((e: { name: string }) => e.name), [
      "_u.png",
      "aa.png",
      "aa",
      "b.png",
      "B2.png",
      "C.png",
    ]);
    const upper = await body(await list("workspace-temp", { prefix: `${dir.toUpperCase()}/AA` }));
    assertEquals(upper[1].map((e: { name: string }) => e.name), ["x.png"]);
    const page = await body(await list("workspace-temp", { prefix: dir, limit: 2, offset: 2 }));
    assertEquals(page[1].map((e: { name: string }) => e.name), ["aa", "b.png"]);
    assertEquals(await body(await list("no-such-bucket", { prefix: dir })), [200, []]);
    assertEquals(await remove("no-such-bucket", ["a/b.png"]), []);
    const zero = await body(await list("workspace-temp", { prefix: dir, limit: 0 }));
    assertEquals([zero[0], zero[1].statusCode], [400, "400"]);
  } finally {
    await remove("workspace-temp", names.map((n) => `${dir}/${n}`));
  }
});

Deno.test("storage fidelity D15: dot segments are InvalidKey, never resolved", async () => {
  const dir = crypto.randomUUID();
  const url = new URL(base());
  // A raw request line: fetch() would resolve the dot segments before sending.
  const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
  const request = [
    `POST ${url.pathname}/object/workspace-temp/${dir}/x/../y.png HTTP/1.1`,
    `host: ${url.host}`,
    `authorization: Bearer ${key()}`,
    "content-type: image/png",
    "content-length: 1",
    "connection: close",
    "",
    "z",
  ].join("\r\n");
  await conn.write(new TextEncoder().encode(request));
  const raw = new TextDecoder().decode(await new Response(conn.readable).arrayBuffer());
  assertOk(raw.includes('"code":"InvalidKey"'), raw);
  const copy = await fetch(`${base()}/object/copy`, {
    method: "POST",
    headers: { ...auth(), "content-type": "application/json" },
    body: JSON.stringify({
      bucketId: "workspace-temp",
      sourceKey: `${dir}/a.png`,
      destinationKey: `${dir}/../b.png`,
    }),
  });
  assertEquals((await body(copy))[1].code, "InvalidKey");
  await withDb(async (sql) => {
    const rows = await sql`select name from storage.objects where starts_with(name, ${dir})`;
    assertEquals(rows.length, 0, "nothing stored");
  });
});
