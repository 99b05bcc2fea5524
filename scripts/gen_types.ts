/**
 * `npm run gen:types`: migrates a throwaway cluster (or SUPABASE_DB_URL's database) and writes
 * shared/db/database.types.ts from it with `supabase gen types`.
 */
import { freePort, startCluster } from "./lib/cluster.ts";
import { prepareDatabase } from "./lib/database.ts";
import { generateTypes, TYPES_PATH } from "./lib/types.ts";

const external = Deno.env.get("SUPABASE_DB_URL");
const cluster = external
  ? undefined
  : await startCluster({ name: `types-${Deno.pid}`, port: freePort(), fresh: true, fast: true });
try {
  const url = external ?? cluster!.url;
  await prepareDatabase({ url, adminUrl: cluster?.adminUrl, log: () => {} });
  await Deno.writeTextFile(TYPES_PATH, await generateTypes(url));
  console.log(`wrote ${TYPES_PATH}`);
} finally {
  await cluster?.stop({ remove: true });
}
