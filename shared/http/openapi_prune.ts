/**
 * Drops component schemas that nothing in the document reaches: a schema registered for a
 * route that no longer uses it means nothing to a client (and `redocly lint` warns about it).
 */
import type { OpenApiDocument } from "./openapi_document.ts";

const SCHEMA_REF = "#/components/schemas/";

/** Removes every `components.schemas` entry not reachable from outside `components.schemas`. */
export function pruneUnusedSchemas(doc: OpenApiDocument): void {
  const schemas = doc.components?.schemas;
  if (!schemas) return;
  const reached = new Set<string>();
  const pending: unknown[] = [{ ...doc, components: { ...doc.components, schemas: undefined } }];
  while (pending.length > 0) {
    const node = pending.pop();
    if (Array.isArray(node)) {
      pending.push(...node);
    } else if (node && typeof node === "object") {
      for (const [key, value] of Object.entries(node)) {
        if (key === "$ref" && typeof value === "string" && value.startsWith(SCHEMA_REF)) {
          const name = decodeURIComponent(value.slice(SCHEMA_REF.length))
            .replaceAll("~1", "/").replaceAll("~0", "~");
          if (!reached.has(name)) {
            reached.add(name);
            pending.push(schemas[name]);
          }
        } else {
          pending.push(value);
        }
      }
    }
  }
  for (const name of Object.keys(schemas)) if (!reached.has(name)) delete schemas[name];
  if (Object.keys(schemas).length === 0) delete doc.components!.schemas;
}
