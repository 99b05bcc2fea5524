/**
 * Responses of the Storage simulator, shaped like supabase/storage's: errors are HTTP 400 (500
 * for internal errors) with the real status as a string in the body, as its error handler
 * renders a StorageBackendError: `{statusCode, code, error, message}`, where `error` holds the
 * legacy string the error was created with (`not_found`, `Duplicate`, ...) or repeats `code`.
 */

/** A failure the simulator answers with Storage's error body. */
export class StorageSimError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The legacy `error` string of the real error, when it has one. */
    readonly legacy?: string,
  ) {
    super(message);
    this.name = "StorageSimError";
  }
}

/** The errors of supabase/storage's ERRORS table that the simulator can produce. */
export const simErrors = {
  noSuchKey: () => new StorageSimError(404, "NoSuchKey", "Object not found", "not_found"),
  noSuchBucket: () =>
    new StorageSimError(404, "NoSuchBucket", "Bucket not found", "Bucket not found"),
  /** An upload or copy onto an existing key. */
  keyExists: () =>
    new StorageSimError(409, "KeyAlreadyExists", "The resource already exists", "Duplicate"),
  /** Any other unique violation (a move onto an existing key). */
  duplicate: () =>
    new StorageSimError(409, "ResourceAlreadyExists", "The resource already exists", "Duplicate"),
  /** A foreign key to a missing row (a copy into a missing bucket). */
  relatedNotFound: () =>
    new StorageSimError(404, "InvalidRequest", "The related resource does not exist"),
  accessDenied: (message = "Access denied") =>
    new StorageSimError(403, "AccessDenied", message, "Unauthorized"),
  tooLarge: () =>
    new StorageSimError(
      413,
      "EntityTooLarge",
      "The object exceeded the maximum allowed size",
      "Payload too large",
    ),
  invalidMime: (mime: string) =>
    new StorageSimError(
      415,
      "InvalidMimeType",
      `mime type ${mime} is not supported`,
      "invalid_mime_type",
    ),
  invalidJwt: (message: string) => new StorageSimError(400, "InvalidJWT", message),
  invalidKey: (key: string) => new StorageSimError(400, "InvalidKey", `Invalid key: ${key}`),
  invalidBucketName: () =>
    new StorageSimError(400, "InvalidBucketName", "Bucket name invalid", "Invalid Input"),
  invalidSignature: () => new StorageSimError(400, "InvalidSignature", "Invalid signature"),
  invalidRequest: (message: string) => new StorageSimError(400, "InvalidRequest", message),
  /** A route whose schema requires the Authorization header, called without one. */
  missingAuthorization: () =>
    new StorageSimError(
      400,
      "InvalidRequest",
      "headers must have required property 'authorization'",
      "Bad Request",
    ),
  internal: (message = "Internal server error") =>
    new StorageSimError(500, "InternalError", message),
};

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-expose-headers": "content-length, content-type, etag, last-modified",
};

/** A JSON response with Storage's CORS headers. */
export function jsonResponse(data: unknown, status = 200): Response {
  return new Response(JSON.stringify(data), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...CORS },
  });
}

/** Storage's error body for `err`: HTTP 400 (or 500), the real status in `statusCode`. */
export function errorResponse(err: StorageSimError): Response {
  return jsonResponse(
    {
      statusCode: String(err.status),
      code: err.code,
      error: err.legacy ?? err.code,
      message: err.message,
    },
    err.status === 500 ? 500 : 400,
  );
}

/** Fastify's answer for an unknown route (a real 404, not the 400 envelope). */
export function routeNotFound(method: string, path: string): Response {
  return jsonResponse(
    { statusCode: 404, error: "Not Found", message: `Route ${method}:${path} not found` },
    404,
  );
}

/** The CORS preflight answer (the hosted gateway answers these for Storage). */
export function preflight(req: Request): Response {
  return new Response(null, {
    status: 204,
    headers: {
      ...CORS,
      "access-control-allow-methods": "GET, HEAD, POST, PUT, DELETE, OPTIONS",
      "access-control-allow-headers": req.headers.get("access-control-request-headers") ??
        "authorization, apikey, content-type, x-upsert, cache-control, x-client-info",
      "access-control-max-age": "3600",
    },
  });
}

/** Headers every object response carries. */
export const corsHeaders: Record<string, string> = CORS;
