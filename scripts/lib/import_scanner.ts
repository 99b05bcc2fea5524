/**
 * Finds the module specifiers a TypeScript file imports: `import ... from "x"`, `import "x"`,
 * `export ... from "x"`, `import("x")` and `import type`. A small tokenizer skips comments,
 * strings, template literals and regular expressions first, so an import written inside a string
 * (a test fixture, a code sample in a comment) is never mistaken for one. Only literal
 * specifiers count: `import(someVariable)` is invisible to any static check.
 */

/** One import of a file. */
export interface ImportSite {
  /** The specifier as written, e.g. `"../db/client.ts"` or `"npm:zod"`. */
  specifier: string;
  /** 1-based line of the specifier. */
  line: number;
  /** `import("x")` rather than a declaration. */
  dynamic: boolean;
}

type Token =
  | { kind: "word"; text: string; line: number }
  | { kind: "string"; text: string; line: number }
  | { kind: "template"; line: number }
  | { kind: "punct"; text: string; line: number };

// After these words a `/` starts a regular expression, not a division.
const REGEX_AFTER_WORDS = new Set([
  "return",
  "typeof",
  "instanceof",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "case",
  "do",
  "else",
  "yield",
  "await",
]);
const WORD_CHAR = /[\w$\u0080-\uffff]/;

/** Splits source into the tokens the import grammar needs. */
function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  // What each open `{` belongs to: a block/object, or a template's `${`.
  const braces: ("block" | "template")[] = [];
  let line = 1;
  let i = 0;

  const regexAllowed = () => {
    const prev = tokens[tokens.length - 1];
    if (!prev) return true;
    if (prev.kind === "string" || prev.kind === "template") return false;
    if (prev.kind === "word") return REGEX_AFTER_WORDS.has(prev.text);
    return !")]}".includes(prev.text);
  };

  // Reads a template from just after its opening backtick (or a `}` closing a `${`).
  const readTemplate = (startLine: number) => {
    while (i < src.length) {
      const c = src[i];
      if (c === "\\") {
        if (src[i + 1] === "\n") line++;
        i += 2;
        continue;
      }
      if (c === "\n") line++;
      if (c === "`") {
        i++;
        tokens.push({ kind: "template", line: startLine });
        return;
      }
      if (c === "$" && src[i + 1] === "{") {
        i += 2;
        braces.push("template");
        return;
      }
      i++;
    }
  };

  while (i < src.length) {
    const c = src[i];
    if (c === "\n") {
      line++;
      i++;
    } else if (c === " " || c === "\t" || c === "\r") {
      i++;
    } else if (c === "/" && src[i + 1] === "/") {
      while (i < src.length && src[i] !== "\n") i++;
    } else if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      const stop = end < 0 ? src.length : end + 2;
      for (let k = i; k < stop; k++) if (src[k] === "\n") line++;
      i = stop;
    } else if (c === '"' || c === "'") {
      const startLine = line;
      let text = "";
      i++;
      while (i < src.length && src[i] !== c && src[i] !== "\n") {
        if (src[i] === "\\") {
          if (src[i + 1] === "\n") line++;
          text += src[i + 1] ?? "";
          i += 2;
        } else text += src[i++];
      }
      i++;
      tokens.push({ kind: "string", text, line: startLine });
    } else if (c === "`") {
      i++;
      readTemplate(line);
    } else if (c === "/" && regexAllowed()) {
      let inClass = false;
      i++;
      while (i < src.length && src[i] !== "\n") {
        const r = src[i];
        if (r === "\\") i++;
        else if (r === "[") inClass = true;
        else if (r === "]") inClass = false;
        else if (r === "/" && !inClass) break;
        i++;
      }
      i++;
      while (i < src.length && /[a-z]/.test(src[i])) i++;
      tokens.push({ kind: "punct", text: "regex", line });
    } else if (WORD_CHAR.test(c)) {
      let text = "";
      while (i < src.length && WORD_CHAR.test(src[i])) text += src[i++];
      tokens.push({ kind: "word", text, line });
    } else {
      i++;
      if (c === "{") braces.push("block");
      if (c === "}" && braces.pop() === "template") {
        const startLine = line;
        readTemplate(startLine);
        continue;
      }
      tokens.push({ kind: "punct", text: c, line });
    }
  }
  return tokens;
}

const isPunct = (t: Token | undefined, text: string) => t?.kind === "punct" && t.text === text;
const isWord = (t: Token | undefined, text: string) => t?.kind === "word" && t.text === text;

/** Every literal import and re-export specifier of `src`, in source order. */
export function scanImports(src: string): ImportSite[] {
  const tokens = tokenize(src);
  const found: ImportSite[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== "word" || (t.text !== "import" && t.text !== "export")) continue;
    // `x.import(...)` is a method call; `import.meta` is not an import.
    if (isPunct(tokens[i - 1], ".") || isPunct(tokens[i + 1], ".")) continue;

    if (t.text === "import" && isPunct(tokens[i + 1], "(")) {
      const arg = tokens[i + 2];
      if (arg?.kind === "string" && (isPunct(tokens[i + 3], ")") || isPunct(tokens[i + 3], ","))) {
        found.push({ specifier: arg.text, line: arg.line, dynamic: true });
      }
      continue;
    }

    let j = i + 1;
    if (isWord(tokens[j], "type")) j++;
    if (t.text === "export") {
      // Only `export * from`, `export * as x from` and `export { ... } from` re-export.
      if (isPunct(tokens[j], "*")) {
        j++;
        if (isWord(tokens[j], "as")) j += 2;
      } else if (isPunct(tokens[j], "{")) {
        while (j < tokens.length && !isPunct(tokens[j], "}")) j++;
        j++;
      } else continue;
      const spec = tokens[j + 1];
      if (isWord(tokens[j], "from") && spec?.kind === "string") {
        found.push({ specifier: spec.text, line: spec.line, dynamic: false });
      }
      continue;
    }

    // `import "x"` or `import <bindings> from "x"`; a statement ends at `;` or `=`
    // (`import x = require(...)`, which Deno does not support anyway).
    for (let k = j; k < tokens.length && k < j + 400; k++) {
      const tok = tokens[k];
      if (tok.kind === "string") {
        if (k === j || isWord(tokens[k - 1], "from")) {
          found.push({ specifier: tok.text, line: tok.line, dynamic: false });
        }
        break;
      }
      if (isPunct(tok, ";") || isPunct(tok, "=")) break;
    }
  }
  return found;
}
