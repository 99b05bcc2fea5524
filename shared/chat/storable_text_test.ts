import { assertEquals } from "../../tests/support/assert.ts";
import { firstChars, storableText } from "./storable_text.ts";

Deno.test("storableText drops U+0000, mends lone surrogates and treats whitespace-only output as empty", () => {
  assertEquals(storableText("a \u0000 b"), "a  b");
  assertEquals(storableText("\u0000\u0000"), "");
  assertEquals(storableText("  \n "), "");
  assertEquals(storableText("kept 😀"), "kept 😀");
  // jsonb (the summary in memory_data) refuses a lone surrogate.
  assertEquals(storableText("sur\ud800here \ude00"), "sur\uFFFDhere \uFFFD");
});

Deno.test("firstChars cuts by code point and never splits a pair", () => {
  assertEquals(firstChars("abc", 3), { text: "abc", cut: false });
  assertEquals(firstChars("abcd", 3), { text: "abc", cut: true });
  // Five code points in eight UTF-16 units: under the limit by code point.
  assertEquals(firstChars("😀😀😀ab", 5), { text: "😀😀😀ab", cut: false });
  assertEquals(firstChars("😀😀😀ab", 2), { text: "😀😀", cut: true });
  assertEquals(firstChars("a😀b", 2), { text: "a😀", cut: true });
});
