/**
 * `GET /objects/url?bucket=&path=&expires_in=`: a signed URL (at most an hour) for an object in
 * the caller's own folder of a private bucket. The path is checked before Storage is asked, so
 * no other user's object is ever signed (reference bug 5).
 */
import { createRoute, z } from "@hono/zod-openapi";
import { AppError } from "../../shared/errors.ts";
import { requireUser, userCaller } from "../../shared/http/auth/guards.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import { errorResponses } from "../../shared/http/error_envelope.ts";
import { safeText } from "../../shared/http/safe_text.ts";
import { objectPathProblem } from "../../shared/storage/object_path.ts";
import { ObjectStoreError } from "../../shared/storage/storage_errors.ts";
import { BUCKETS } from "../../shared/vocabulary.ts";
import type { WorkspaceActionsDeps } from "./deps.ts";
import { jsonResponse } from "../../shared/http/route_parts.ts";

const PRIVATE_BUCKETS = [BUCKETS.workspace, BUCKETS.library, BUCKETS.reference] as const;

const route = createRoute({
  method: "get",
  path: "/objects/url",
  summary: "A signed URL for an object in the caller's own folder (at most 1 hour)",
  request: {
    query: z.object({
      bucket: z.enum(PRIVATE_BUCKETS),
      path: safeText(1024).superRefine((p, ctx) => {
        const problem = objectPathProblem(p);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      }),
      expires_in: z.coerce.number().int().min(1).max(3600).default(3600),
    }),
  },
  responses: {
    200: jsonResponse(
      z.object({
        bucket: z.string(),
        path: z.string(),
        url: z.string(),
        expires_at: z.string(),
      }),
      "The signed URL",
    ),
    ...errorResponses(400, 401, 403, 404),
  },
});

/** Registers the route. */
export function registerObjectUrlRoute(app: FunctionApp, deps: WorkspaceActionsDeps): void {
  app.use("/objects/url", requireUser(deps.auth));
  app.openapi(route, async (c) => {
    const caller = userCaller(c);
    const { bucket, path, expires_in } = c.req.valid("query");
    if (!path.startsWith(`${caller.userId}/`)) {
      throw new AppError("FORBIDDEN", "Only objects in your own folder can be signed", {
        details: [{ field: "path", message: "must start with your user id" }],
      });
    }
    try {
      // Service path: the path is in the caller's own folder (checked above).
      const url = await deps.store.signedUrl(bucket, path, expires_in);
      const expiresAt = new Date(Date.now() + expires_in * 1000).toISOString();
      return c.json({ bucket, path, url, expires_at: expiresAt }, 200);
    } catch (err) {
      if (err instanceof ObjectStoreError && err.code === "not_found") {
        throw new AppError("NOT_FOUND", "No such object", { cause: err });
      }
      throw err;
    }
  });
}
