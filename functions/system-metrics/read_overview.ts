/** Reads the overview once for the JSON, Prometheus and dashboard routes. */
import type { Sql } from "../../shared/db/client.ts";
import { asService } from "../../shared/db/scopes.ts";
import * as metrics from "../../shared/db/tables/system_metrics.ts";
import { type Overview, overviewSchema } from "./overview_schema.ts";

/** The overview, parsed into its documented shape. */
export async function readOverview(db: Sql): Promise<Overview> {
  // Service path: admin routes read aggregate data across users (the SQL function is service_role only).
  const [row] = await asService(db, (tx) => metrics.overview(tx));
  return overviewSchema.parse(row.overview);
}
