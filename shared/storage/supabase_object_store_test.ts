import { BUCKETS } from "../vocabulary.ts";
import { createClient } from "@supabase/supabase-js";
import { assertEquals } from "../../tests/support/assert.ts";
import { createSupabaseObjectStore } from "./supabase_object_store.ts";

Deno.test("publicUrl is what supabase-js's getPublicUrl returns, without loading the client", () => {
  let fetched = 0;
  const counting: typeof fetch = (input, init) => {
    fetched++;
    return fetch(input, init);
  };
  for (
    const url of ["https://abc.supabase.co", "https://abc.supabase.co/", "http://127.0.0.1:54321"]
  ) {
    const store = createSupabaseObjectStore({ url, key: "k", fetch: counting });
    const client = createClient(url, "k", {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    });
    for (const path of ["u1/a.png", "u1/folder/with space (1).webp", "u1/x-y_z.2.mp4"]) {
      assertEquals(
        store.publicUrl(BUCKETS.avatars, path),
        client.storage.from(BUCKETS.avatars).getPublicUrl(path).data.publicUrl,
      );
    }
  }
  assertEquals(fetched, 0);
});
