/** Request pieces the workspace-actions routes share. */
import { z } from "@hono/zod-openapi";
import { safeText } from "../../shared/http/safe_text.ts";

/** A path parameter that must be a uuid (anything else is a 400 naming `id`). */
export const idParam = z.object({ id: z.uuid() });

/** Tags of a library item: at most 50 (the table's CHECK), each 1-64 characters. */
export const tagsSchema = z.array(safeText(64).pipe(z.string().trim().min(1))).max(50);

/** A custom title. */
export const titleSchema = safeText(200);

/** What a save may set on the new library item. */
export const saveBody = z.strictObject({
  collection_id: z.uuid().nullable().optional(),
  custom_title: titleSchema.nullable().optional(),
  tags: tagsSchema.optional(),
}).openapi("SaveRequest");

/** A page size. */
export const limitParam = z.coerce.number().int().min(1).max(100).default(30);

/** An opaque cursor from a previous page. */
export const cursorParam = safeText(200).optional();
