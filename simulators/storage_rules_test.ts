import { assertEquals, assertThrows } from "../tests/support/assert.ts";
import { StorageSimError } from "./storage_responses.ts";
import {
  type BucketRow,
  maxObjectSize,
  mustBeAllowedMime,
  mustBeValidKey,
} from "./storage_rules.ts";

const bucket = (limit: number | null, mimes: string[] | null = null): BucketRow => ({
  id: "b",
  public: false,
  file_size_limit: limit,
  allowed_mime_types: mimes,
});

Deno.test("bucket MIME rules: exact, case- and parameter-sensitive, type/* wildcards, none = any", () => {
  const b = bucket(null, ["image/*", "video/mp4"]);
  // Storage compares what follows "/" with the entry's: `*` takes anything, parameters too.
  const accepted = ["image/png", "image/webp", "video/mp4", "image/png; charset=binary"];
  for (const ok of accepted) mustBeAllowedMime(ok, b);
  const refused = ["IMAGE/PNG", "video/mp4; codecs=avc1", "video/webm", "text/plain", "image"];
  for (const bad of refused) {
    const err = assertThrows(() => mustBeAllowedMime(bad, b), StorageSimError, bad);
    assertEquals([err.status, err.code, err.legacy], [415, "InvalidMimeType", "invalid_mime_type"]);
  }
  mustBeAllowedMime("text/plain", bucket(null, null));
  mustBeAllowedMime("text/plain", bucket(null, []));
});

Deno.test("size limit: the bucket's, capped by the global one", () => {
  assertEquals(maxObjectSize(bucket(10), 100), 10);
  assertEquals(maxObjectSize(bucket(1000), 100), 100);
  assertEquals(maxObjectSize(bucket(null), 100), 100);
});

Deno.test("keys use Storage's alphabet and have no dot segments", () => {
  mustBeValidKey("a/b c/(1)+x.png");
  mustBeValidKey("a/..b/x.png");
  for (const bad of ["", "a/é.png", "a/<b>.png", "a/%41", "a/../b.png", "./a.png", "a/."]) {
    assertThrows(() => mustBeValidKey(bad), StorageSimError, bad);
  }
});
