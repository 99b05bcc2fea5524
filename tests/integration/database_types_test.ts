import { assertEquals } from "../support/assert.ts";
import { generateTypes, TYPES_PATH } from "../../scripts/lib/types.ts";
import { stack } from "../support/stack.ts";

Deno.test("the committed database.types.ts matches what supabase gen types produces from the migrations", async () => {
  const generated = await generateTypes(stack.dbUrl);
  const committed = await Deno.readTextFile(TYPES_PATH);
  assertEquals(
    committed === generated,
    true,
    "shared/db/database.types.ts is stale: run `npm run gen:types`",
  );
});
