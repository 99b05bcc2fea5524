import { assertEquals } from "../../tests/support/assert.ts";
import { storableText } from "./storable_text.ts";

Deno.test("storableText drops U+0000 and treats whitespace-only output as empty", () => {
  assertEquals(storableText("a \u0000 b"), "a  b");
  assertEquals(storableText("\u0000\u0000"), "");
  assertEquals(storableText("  \n "), "");
  assertEquals(storableText("kept 😀"), "kept 😀");
});
