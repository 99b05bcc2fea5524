import { assertEquals } from "../../tests/support/assert.ts";
import { scanImports } from "./import_scanner.ts";

const specs = (src: string) => scanImports(src).map((s) => s.specifier);

Deno.test("scanImports finds every form of static import and re-export, with its line", () => {
  const src = [
    `import { a } from "./a.ts";`,
    `import type { B } from "./b.ts";`,
    `import * as c from "./c.ts";`,
    `import d, { e } from './d.ts';`,
    `import "./side_effect.ts";`,
    `export { f } from "./f.ts";`,
    `export type { G } from "./g.ts";`,
    `export * from "./h.ts";`,
    `export * as i from "./i.ts";`,
    `import {`,
    `  j,`,
    `  k,`,
    `} from "./jk.ts";`,
    `import data from "./data.json" with { type: "json" };`,
  ].join("\n");
  assertEquals(scanImports(src).map((s) => [s.specifier, s.line, s.dynamic]), [
    ["./a.ts", 1, false],
    ["./b.ts", 2, false],
    ["./c.ts", 3, false],
    ["./d.ts", 4, false],
    ["./side_effect.ts", 5, false],
    ["./f.ts", 6, false],
    ["./g.ts", 7, false],
    ["./h.ts", 8, false],
    ["./i.ts", 9, false],
    ["./jk.ts", 13, false],
    ["./data.json", 14, false],
  ]);
});

Deno.test("scanImports finds dynamic imports and import types, literal ones only", () => {
  const src = [
    `const m = await import("./m.ts");`,
    `type T = import("./t.ts").T;`,
    "const n = await import(`./n_${x}.ts`);",
    `const o = await import(name);`,
    `const p = await import("./p.ts", { with: { type: "json" } });`,
    'const q = `${await import("./q.ts")}`;',
  ].join("\n");
  assertEquals(scanImports(src).map((s) => [s.specifier, s.line, s.dynamic]), [
    ["./m.ts", 1, true],
    ["./t.ts", 2, true],
    ["./p.ts", 5, true],
    ["./q.ts", 6, true],
  ]);
});

Deno.test("scanImports ignores imports written in comments, strings, templates and regexes", () => {
  const src = [
    `// import { x } from "./comment.ts";`,
    `/* import "./block.ts";`,
    `   export * from "./block2.ts"; */`,
    `const s = 'import { y } from "./string.ts"';`,
    'const t = `import { z } from "./template.ts"`;',
    'const sql = `select 1 -- import("./sql.ts")`;',
    `const r = /import "[^"]+"/g.test(s) ? 1 : 2 / 3;`,
    `const url = import.meta.url;`,
    `loader.import("./method.ts");`,
    `export const e = "./not_a_reexport.ts";`,
    `export { local };`,
    `import { real } from "./real.ts";`,
  ].join("\n");
  assertEquals(scanImports(src).map((s) => [s.specifier, s.line]), [["./real.ts", 12]]);
});

Deno.test("scanImports keeps lines right after multi-line strings, templates and comments", () => {
  const src = [
    "const t = `line 1",
    "line 2 ${`nested",
    "line 3`} line 4`;",
    "/*",
    "*/",
    `const s = "a\\`,
    `b";`,
    `import { x } from "./x.ts";`,
  ].join("\n");
  assertEquals(scanImports(src).map((s) => [s.specifier, s.line]), [["./x.ts", 8]]);
});

Deno.test("scanImports reports package specifiers as written (the rules ignore them)", () => {
  assertEquals(specs(`import { z } from "zod";\nimport p from "npm:postgres@3";`), [
    "zod",
    "npm:postgres@3",
  ]);
});
