import { BUCKETS } from "../vocabulary.ts";
import { assertEquals, assertThrows } from "../../tests/support/assert.ts";
import { assertBucketName, assertSafeObjectPath, objectPathProblem } from "./object_path.ts";
import { ObjectStoreError } from "./storage_errors.ts";

Deno.test("objectPathProblem accepts the paths the functions write", () => {
  for (
    const ok of [
      "a0000000-0000-4000-8000-000000000001/0b6f/0.png",
      "user/job/clip 1.mp4",
      "u/(draft)/a-b_c.webp",
      "single.png",
    ]
  ) {
    assertEquals(objectPathProblem(ok), null, ok);
  }
});

Deno.test("objectPathProblem refuses traversal, absolute, empty and control-character paths", () => {
  const cases: [string, RegExp][] = [
    ["", /empty/],
    ["../x.png", /'\.\.' segment/],
    ["a/../b.png", /'\.\.' segment/],
    ["a/./b.png", /'\.' segment/],
    ["/a/b.png", /starts with/],
    ["a/b/", /ends with/],
    ["a//b.png", /empty segment/],
    ["a/\u0000b.png", /control/],
    ["a/b\n.png", /control/],
    ["a/\u007f.png", /control/],
    ["a\\b.png", /backslash/],
    ["a/ b.png", /surrounding spaces/],
    ["a/é.png", /character/],
    ["a/%2e%2e/b.png", /character/],
    // supabase-js would send these unencoded: the URL's path would end at `?` (or `#`).
    ["u/src1.png?anything=1", /character/],
    ["u/..?/other/secret.png", /character/],
    ["u/a#b.png", /character/],
    ["x".repeat(1025), /too long/],
  ];
  for (const [path, why] of cases) {
    const problem = objectPathProblem(path);
    assertEquals(
      problem !== null && why.test(problem),
      true,
      `${JSON.stringify(path)}: ${problem}`,
    );
  }
});

Deno.test("assertSafeObjectPath and assertBucketName throw invalid_path", () => {
  const err = assertThrows(() => assertSafeObjectPath("../etc/passwd"), ObjectStoreError);
  assertEquals([err.code, err.status], ["invalid_path", 400]);
  assertBucketName(BUCKETS.workspace);
  assertBucketName(BUCKETS.reference);
  for (const bad of ["", "a/b", "../x", " x", "x".repeat(101)]) {
    assertThrows(() => assertBucketName(bad), ObjectStoreError, bad);
  }
});
