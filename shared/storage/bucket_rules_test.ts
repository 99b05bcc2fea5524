import { assertEquals, assertRejects, assertThrows } from "../../tests/support/assert.ts";
import { assertFits, bareMime, cachedRules, mimeAllowed } from "./bucket_rules.ts";
import { ObjectStoreError } from "./storage_errors.ts";
import { capStream } from "./upload_cap.ts";

Deno.test("bareMime sends what Storage matches: lower-case type/subtype without parameters", () => {
  assertEquals(bareMime("Image/PNG; charset=binary"), "image/png");
  assertEquals(bareMime(" video/mp4 "), "video/mp4");
  assertEquals(bareMime("not a type"), null);
  assertEquals(bareMime("image/"), null);
});

Deno.test("mimeAllowed is Storage's literal match with type/* wildcards", () => {
  assertEquals(mimeAllowed("image/png", ["image/png"]), true);
  assertEquals(mimeAllowed("IMAGE/PNG", ["image/png"]), false);
  assertEquals(mimeAllowed("image/png; q=1", ["image/png"]), false);
  assertEquals(mimeAllowed("image/gif", ["image/*"]), true);
  assertEquals(mimeAllowed("anything", null), true);
});

Deno.test("assertFits refuses what the destination bucket would refuse on upload", () => {
  const rules = { id: "b", fileSizeLimit: 10, allowedMimeTypes: ["image/png"] };
  assertFits(rules, { size: 10, contentType: "image/png" }, 100, "copy");
  const big = assertThrows(
    () => assertFits(rules, { size: 11, contentType: "image/png" }, 100, "copy"),
    ObjectStoreError,
  );
  assertEquals(big.code, "too_large");
  const mime = assertThrows(
    () => assertFits(rules, { size: 1, contentType: "video/mp4" }, 100, "copy"),
    ObjectStoreError,
  );
  assertEquals(mime.code, "mime_not_allowed");
  const global = assertThrows(
    () => assertFits(null, { size: 101, contentType: "video/mp4" }, 100, "copy"),
    ObjectStoreError,
  );
  assertEquals(global.code, "too_large");
});

Deno.test("cachedRules asks once per bucket within the TTL and forgets failures", async () => {
  let now = 0;
  let calls = 0;
  const load = cachedRules(
    (bucket) => {
      calls++;
      if (bucket === "bad") return Promise.reject(new Error("down"));
      return Promise.resolve({ id: bucket, fileSizeLimit: null, allowedMimeTypes: null });
    },
    1000,
    () => now,
  );
  await load("a");
  await load("a");
  assertEquals(calls, 1);
  now = 1001;
  await load("a");
  assertEquals(calls, 2);
  await assertRejects(() => load("bad"));
  await assertRejects(() => load("bad"));
  assertEquals(calls, 4);
});

Deno.test("capStream passes bytes up to the limit and errors past it", async () => {
  const source = () =>
    new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 4; i++) c.enqueue(new Uint8Array(3));
        c.close();
      },
    });
  const ok = capStream(source(), 12, "put");
  assertEquals((await new Response(ok.stream).arrayBuffer()).byteLength, 12);
  assertEquals(ok.exceeded(), false);
  const over = capStream(source(), 11, "put");
  const err = await assertRejects(() => new Response(over.stream).arrayBuffer(), ObjectStoreError);
  assertEquals([(err as ObjectStoreError).code, over.exceeded()], ["too_large", true]);
});
