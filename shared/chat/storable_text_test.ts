import { assertEquals } from "../../tests/support/assert.ts";
import { storableText } from "./storable_text.ts";

Deno.test("storableText drops U+0000, mends lone surrogates and treats whitespace-only output as empty", () => {
  assertEquals(storableText("a \u0000 b"), "a  b");
  assertEquals(storableText("\u0000\u0000"), "");
  assertEquals(storableText("  \n "), "");
  assertEquals(storableText("kept 😀"), "kept 😀");
  // jsonb (the summary in memory_data) refuses a lone surrogate.
  assertEquals(storableText("sur\ud800here \ude00"), "sur\uFFFDhere \uFFFD");
});
