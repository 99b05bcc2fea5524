import { assertEquals } from "../../tests/support/assert.ts";
import { cleanEnhanced, estimateTokens, truncateToTokens } from "./clean_prompt.ts";

Deno.test("cleanEnhanced strips labels, quotes, markdown, fences and trailing explanations", () => {
  const cases: [string, string][] = [
    ['"a red fox in snow"', "a red fox in snow"],
    ["“a red fox in snow”", "a red fox in snow"],
    ["Enhanced prompt: a red fox, snow", "a red fox, snow"],
    ["Here is the improved prompt:\n\n  'a red fox, snow'  ", "a red fox, snow"],
    ["**Prompt:** a red fox", "a red fox"],
    ["```\na red fox,\nsnow\n```", "a red fox, snow"],
    ["a red fox, snow\n\nThis prompt adds lighting detail.", "a red fox, snow"],
    ["  a   red\tfox  ", "a red fox"],
    ["Final prompt - a red fox", "a red fox"],
    ["", ""],
  ];
  for (const [raw, want] of cases) assertEquals(cleanEnhanced(raw), want, JSON.stringify(raw));
});

Deno.test("truncateToTokens cuts at a comma or a word, never mid-word", () => {
  const text = "a lighthouse at dusk, crashing waves, dramatic clouds, golden light, 35mm film";
  assertEquals(truncateToTokens(text, 100), text, "under the limit: unchanged");
  const cut = truncateToTokens(text, 10); // 40 characters
  assertEquals(cut, "a lighthouse at dusk, crashing waves");
  assertEquals(cut.length <= 40, true);
  assertEquals(
    truncateToTokens("supercalifragilistic expialidocious words", 6),
    "supercalifragilistic",
  );
  assertEquals(truncateToTokens("one two three four five six", 3), "one two");
  assertEquals(truncateToTokens("one two three four five six", 4), "one two three");
  assertEquals(estimateTokens("abcd"), 1);
  assertEquals(estimateTokens("abcde"), 2);
});

Deno.test("cleanEnhanced drops control characters and lone surrogates a model may send", () => {
  assertEquals(cleanEnhanced("a red fox\u0000 in snow \u001b[31m"), "a red fox in snow [31m");
  assertEquals(cleanEnhanced("a\u0085b\u007f c\tand\nd"), "ab c and d");
  assertEquals(cleanEnhanced("fox \ud83d snow \ude00 😀"), "fox snow 😀");
  const out = cleanEnhanced("a\ud800");
  assertEquals([out, out.isWellFormed()], ["a", true]);
});

Deno.test("truncateToTokens cuts text without spaces at the limit, never inside a character", () => {
  const emoji = "a" + "😀".repeat(700);
  const cut = truncateToTokens(emoji, 300);
  assertEquals([cut.isWellFormed(), cut.length <= 1200, cut.length >= 1199], [true, true, true]);
  // A long reply whose only space is early is not cut down to its first word.
  const long = "Echo(qwen) " + "x".repeat(2000);
  assertEquals(truncateToTokens(long, 100).length, 400);
  const cjk = "山".repeat(500);
  assertEquals(truncateToTokens(cjk, 100), "山".repeat(400));
});
