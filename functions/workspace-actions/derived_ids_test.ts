import { assertEquals, assertOk } from "../../tests/support/assert.ts";
import { libraryIdFor, nameUuid, workspaceCopyIdFor } from "./derived_ids.ts";

Deno.test("nameUuid is RFC 9562 version 5 (the DNS example)", async () => {
  // uuid5(NAMESPACE_DNS, "www.example.com"), as Python's uuid module computes it.
  assertEquals(
    await nameUuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com"),
    "2ed6657d-e927-568b-95e1-2665a8aea6a2",
  );
});

Deno.test("derived ids are stable per source and differ between the two directions", async () => {
  const id = crypto.randomUUID();
  assertEquals(await libraryIdFor(id), await libraryIdFor(id.toUpperCase()));
  assertOk(await libraryIdFor(id) !== await workspaceCopyIdFor(id));
  assertOk(await libraryIdFor(id) !== await libraryIdFor(crypto.randomUUID()));
});
