/** `POST /enhance-prompt/cache/refresh` (admin): drops this instance's template cache at once. */
import { createRoute, z } from "@hono/zod-openapi";
import { requireAdmin } from "../../shared/http/auth/guards.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import { errorResponses } from "../../shared/http/error_envelope.ts";
import type { EnhancePromptDeps } from "./app.ts";

const route = createRoute({
  method: "post",
  path: "/cache/refresh",
  summary: "Reload prompt templates and negative prompts now (other instances follow within 5 s)",
  responses: {
    200: {
      description: "Reloaded",
      content: {
        "application/json": {
          schema: z.object({
            refreshed: z.boolean(),
            templates: z.number().int(),
            negative_prompts: z.number().int(),
          }),
        },
      },
    },
    ...errorResponses(401, 403),
  },
});

/** Registers the route. */
export function registerCacheRefresh(app: FunctionApp, deps: EnhancePromptDeps): void {
  app.use("/cache/refresh", requireAdmin(deps.auth));
  app.openapi(route, async (c) => {
    c.set("audit", { action: "prompt_cache.refresh", resourceType: "prompt_templates" });
    deps.enhance.catalog.invalidate();
    const { snapshot } = await deps.enhance.catalog.read();
    return c.json({
      refreshed: true,
      templates: snapshot.templates.length,
      negative_prompts: snapshot.negatives.length,
    }, 200);
  });
}
