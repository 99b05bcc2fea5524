import { assertEquals } from "../../tests/support/assert.ts";
import { ObjectStoreError, toObjectStoreError } from "./storage_errors.ts";

// Shaped like supabase-js's StorageApiError: `status` is the HTTP status (400 for most Storage
// errors), `statusCode` the body's real status, `code` Storage's code when the server sent one.
const apiError = (status: number, statusCode: string, code?: string) =>
  Object.assign(new Error("from storage"), { status, statusCode, code });

Deno.test("toObjectStoreError maps Storage's body status, not the HTTP 400", () => {
  const cases: [unknown, string, number][] = [
    [apiError(400, "404", "NoSuchKey"), "not_found", 404],
    [apiError(400, "404"), "not_found", 404],
    [apiError(400, "409", "ResourceAlreadyExists"), "conflict", 409],
    [apiError(400, "413", "EntityTooLarge"), "too_large", 413],
    [apiError(400, "415", "InvalidMimeType"), "mime_not_allowed", 415],
    [apiError(400, "403", "AccessDenied"), "forbidden", 403],
    [apiError(400, "400", "InvalidJWT"), "unauthorized", 400],
    [apiError(400, "400", "InvalidKey"), "invalid_path", 400],
    [apiError(400, "400", "InvalidRequest"), "invalid_request", 400],
    [apiError(400, "544", "DatabaseTimeout"), "unavailable", 544],
    [apiError(500, "500", "InternalError"), "upstream", 500],
    [apiError(404, "not_found"), "not_found", 404],
    [apiError(503, ""), "unavailable", 503],
  ];
  for (const [input, code, status] of cases) {
    const err = toObjectStoreError(input, "op");
    assertEquals([err.code, err.status], [code, status], JSON.stringify(input));
    assertEquals(err.cause, input);
  }
});

Deno.test("a failure without any HTTP answer is unavailable", () => {
  const err = toObjectStoreError(new TypeError("fetch failed"), "download a/b");
  assertEquals([err.code, err.status, err.message], [
    "unavailable",
    503,
    "download a/b: fetch failed",
  ]);
});

Deno.test("toAppError keeps the storage error as the cause and a public message", () => {
  const err = new ObjectStoreError("not_found", "download a/b: Object not found");
  const app = err.toAppError("Asset not found");
  assertEquals([app.code, app.status, app.message, app.cause], [
    "NOT_FOUND",
    404,
    "Asset not found",
    err,
  ]);
  assertEquals(new ObjectStoreError("too_large", "x").toAppError().code, "PAYLOAD_TOO_LARGE");
});
