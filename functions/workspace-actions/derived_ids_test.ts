import { assertEquals, assertOk } from "../../tests/support/assert.ts";
import { libraryIdFor, nameUuid, workspaceCopyIdFor } from "./derived_ids.ts";

Deno.test("nameUuid is RFC 9562 version 5 (the DNS example)", () => {
  // uuid5(NAMESPACE_DNS, "www.example.com"), as Python's uuid module computes it.
  assertEquals(
    nameUuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com"),
    "2ed6657d-e927-568b-95e1-2665a8aea6a2",
  );
});

Deno.test("derived ids are stable per source and differ between the two directions", () => {
  const id = crypto.randomUUID();
  assertEquals(libraryIdFor(id), libraryIdFor(id.toUpperCase()));
  assertOk(libraryIdFor(id) !== workspaceCopyIdFor(id));
  assertOk(libraryIdFor(id) !== libraryIdFor(crypto.randomUUID()));
});
