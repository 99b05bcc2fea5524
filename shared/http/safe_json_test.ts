import { z } from "zod";
import { assertEquals } from "../../tests/support/assert.ts";
import { AppError } from "../errors.ts";
import { MAX_JSON_DEPTH, parseJsonBytes, parseJsonText } from "./safe_json.ts";

/** The 400's details, or "accepted". */
function verdict(parse: () => unknown): string {
  try {
    parse();
    return "accepted";
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    assertEquals(err.code, "BAD_REQUEST");
    return err.details!.map((d) => `${d.field}: ${d.message}`).join("; ");
  }
}

Deno.test("ordinary JSON parses as JSON.parse would", () => {
  const text = '{"prompt":"a fox \\ud83e\\udd8a","n":[1,2.5,null,true],"m":{"a":{"b":"ü"}}}';
  assertEquals(parseJsonText(text), JSON.parse(text));
  assertEquals(parseJsonBytes(new TextEncoder().encode(text)), JSON.parse(text));
  assertEquals(parseJsonText('"just a string"'), "just a string");
});

Deno.test("NUL, lone surrogates and malformed text are refused, naming the field", () => {
  const cases: [string, string][] = [
    ['{"prompt":"a\\u0000b"}', "prompt: must not contain U+0000"],
    ['{"m":{"a":{"b":["x","\\u0000"]}}}', "m.a.b.1: must not contain U+0000"],
    ['{"m":{"k\\u0000":1}}', "m.k\\u0000: key must not contain U+0000"],
    ['{"prompt":"ok \\ud800"}', "prompt: must not contain an unpaired UTF-16 surrogate"],
    [
      '{"prompt":"\\udc00 reversed \\ud83e"}',
      "prompt: must not contain an unpaired UTF-16 surrogate",
    ],
    ['{"m":{"\\udc00k":1}}', "m.\\udc00k: key must not contain an unpaired UTF-16 surrogate"],
    ['"\\u0000"', "body: must not contain U+0000"],
    ["{not json", "body: is not valid JSON"],
    ["", "body: is not valid JSON"],
  ];
  for (const [text, expected] of cases) assertEquals(verdict(() => parseJsonText(text)), expected);
  // A surrogate written as UTF-8 bytes (CESU-8) is not UTF-8 at all.
  const cesu = new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22]);
  assertEquals(verdict(() => parseJsonBytes(cesu)), "body: is not valid UTF-8");
});

Deno.test("nesting is refused past the limit without exhausting the stack", () => {
  const nested = (levels: number) => "[".repeat(levels) + "]".repeat(levels);
  assertEquals(verdict(() => parseJsonText(nested(MAX_JSON_DEPTH))), "accepted");
  const refused = verdict(() => parseJsonText(`{"m":{"a":${nested(7000)}}}`));
  const path = ["m", "a", ...Array(MAX_JSON_DEPTH - 2).fill("0")].join(".");
  assertEquals(refused, `${path}: must not nest deeper than ${MAX_JSON_DEPTH} levels`);
  // A body of nothing but brackets, as large as any cap we set: still a 400, not a RangeError.
  assertEquals(
    verdict(() => parseJsonText(nested(1_000_000))).endsWith("must not nest deeper than 64 levels"),
    true,
  );
  assertEquals(verdict(() => parseJsonText(nested(3), 2)).endsWith("deeper than 2 levels"), true);
});

Deno.test("a __proto__ key is refused as an unknown field and pollutes nothing", () => {
  assertEquals(
    verdict(() => parseJsonText('{"title":"x","__proto__":{"polluted":true}}')),
    "__proto__: Unknown field",
  );
  assertEquals(
    verdict(() => parseJsonText('{"metadata":{"a":[{"__proto__":{"polluted":true}}]}}')),
    "metadata.a.0.__proto__: Unknown field",
  );
  // Why it is refused here: zod's records drop such a key silently, so a strict schema further
  // on could not report it.
  const dropped = z.record(z.string(), z.unknown()).parse(JSON.parse('{"__proto__":{"p":1}}'));
  assertEquals(Object.keys(dropped), []);
  // Other keys named after Object's members are ordinary own properties, left to the schemas.
  const value = parseJsonText('{"constructor":{"prototype":{"polluted":true}}}');
  assertEquals(Object.keys(value as object), ["constructor"]);
  assertEquals(({} as Record<string, unknown>).polluted, undefined);
});
