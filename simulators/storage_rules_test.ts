import { assertEquals, assertThrows } from "../tests/support/assert.ts";
import { StorageSimError } from "./storage_responses.ts";
import {
  type BucketRow,
  maxObjectSize,
  mimeAllowed,
  mustBeValidKey,
  mustFit,
} from "./storage_rules.ts";

Deno.test("bucket MIME rules: exact types, type/* wildcards, parameters ignored, none = any", () => {
  const allowed = ["image/*", "video/mp4"];
  assertEquals(mimeAllowed("image/png", allowed), true);
  assertEquals(mimeAllowed("IMAGE/WEBP; q=1", allowed), true);
  assertEquals(mimeAllowed("video/mp4", allowed), true);
  assertEquals(mimeAllowed("video/webm", allowed), false);
  assertEquals(mimeAllowed("text/plain", allowed), false);
  assertEquals(mimeAllowed("image", allowed), false);
  assertEquals(mimeAllowed("text/plain", null), true);
  assertEquals(mimeAllowed("text/plain", []), true);
  assertEquals(mimeAllowed("text/plain", ["*/*"]), true);
});

Deno.test("size limit: the bucket's, capped by the global one", () => {
  const bucket = (limit: number | null): BucketRow => ({
    id: "b",
    public: false,
    file_size_limit: limit,
    allowed_mime_types: null,
  });
  assertEquals(maxObjectSize(bucket(10), 100), 10);
  assertEquals(maxObjectSize(bucket(1000), 100), 100);
  assertEquals(maxObjectSize(bucket(null), 100), 100);
  mustFit(10, bucket(10), 100);
  const err = assertThrows(() => mustFit(11, bucket(10), 100), StorageSimError);
  assertEquals([err.status, err.code], [413, "EntityTooLarge"]);
});

Deno.test("keys use Storage's alphabet", () => {
  mustBeValidKey("a/b c/(1)+x.png");
  for (const bad of ["", "a/é.png", "a/<b>.png", "a/%41"]) {
    assertThrows(() => mustBeValidKey(bad), StorageSimError, bad);
  }
});
