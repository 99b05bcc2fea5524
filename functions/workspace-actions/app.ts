/** The workspace-actions function's routes. */
import { createBaseApp } from "../../shared/http/function_deps.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import { registerAssetRoutes } from "./assets_routes.ts";
import { registerBulkRoutes } from "./bulk_routes.ts";
import { registerCollectionRoutes } from "./collections_routes.ts";
import type { WorkspaceActionsDeps } from "./deps.ts";
import { registerExpireRoute } from "./expire_route.ts";
import { registerLibraryRoutes } from "./library_routes.ts";
import { registerObjectUrlRoute } from "./objects_url_route.ts";
import { registerReferenceActions } from "./reference_actions_route.ts";

export type { WorkspaceActionsDeps } from "./deps.ts";

/** Builds the workspace-actions app from its dependencies. */
export function createWorkspaceActionsApp(deps: WorkspaceActionsDeps): FunctionApp {
  const app = createBaseApp(
    deps,
    "Move generated assets between the workspace and the library: save, discard, copy back, " +
      "collections, signed URLs and expiry.",
  );
  registerReferenceActions(app, deps);
  registerAssetRoutes(app, deps);
  registerBulkRoutes(app, deps);
  registerLibraryRoutes(app, deps);
  registerCollectionRoutes(app, deps);
  registerObjectUrlRoute(app, deps);
  registerExpireRoute(app, deps);
  return app;
}
