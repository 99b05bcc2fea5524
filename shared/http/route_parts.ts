/** Builders for the parts of OpenAPI route declarations, so a route states only its schemas. */
import type { z } from "@hono/zod-openapi";

/** A JSON request body; `required: false` lets a client send none (a missing body reads as `{}`). */
export function jsonBody<S extends z.ZodType>(schema: S, opts: { required?: boolean } = {}) {
  return { required: opts.required ?? true, content: { "application/json": { schema } } };
}

/** A JSON response of an OpenAPI route. */
export function jsonResponse<S extends z.ZodType>(schema: S, description: string) {
  return { description, content: { "application/json": { schema } } };
}
