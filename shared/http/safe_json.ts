/**
 * JSON from untrusted bytes, refused with a 400 naming the field when the value is one our code
 * or Postgres cannot hold: invalid UTF-8, nesting past {@link MAX_JSON_DEPTH}, U+0000 or an
 * unpaired UTF-16 surrogate in any string or key (Postgres rejects both in text and jsonb), or a
 * `__proto__` key (zod's records and loose objects drop it silently, so a strict schema further
 * on would never see it).
 */
import { AppError, type FieldIssue } from "../errors.ts";

/** How deep arrays and objects may nest; a value at the top is level 1. */
export const MAX_JSON_DEPTH = 64;

// fatal: malformed UTF-8 is refused instead of being turned into U+FFFD behind the caller's back.
const utf8 = new TextDecoder("utf-8", { fatal: true });

function refuse(issue: FieldIssue): AppError {
  return new AppError("BAD_REQUEST", `Invalid ${issue.field}: ${issue.message}`, {
    details: [issue],
  });
}

/** Decodes UTF-8 bytes and parses them with {@link parseJsonText}. */
export function parseJsonBytes(bytes: Uint8Array, maxDepth = MAX_JSON_DEPTH): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw refuse({ field: "body", message: "is not valid UTF-8" });
  }
  return parseJsonText(text, maxDepth);
}

/**
 * Parses JSON text and checks every string, key and nesting level.
 * @throws AppError BAD_REQUEST whose details name the first offending field (`metadata.a.b`).
 */
export function parseJsonText(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  let value: unknown;
  try {
    // V8 parses iteratively, so even a body nested thousands deep parses without recursion;
    // only our walk below, which stops at maxDepth, descends into it.
    value = JSON.parse(text);
  } catch {
    throw refuse({ field: "body", message: "is not valid JSON" });
  }
  const issue = firstIssue(value, maxDepth);
  if (issue) throw refuse(issue);
  return value;
}

/** Why a string cannot be kept, if it cannot. */
function stringProblem(s: string): string | undefined {
  if (s.includes("\u0000")) return "must not contain U+0000";
  // JSON.parse turns "\ud800" into a lone surrogate: it has no UTF-8 form for Postgres.
  if (!s.isWellFormed()) return "must not contain an unpaired UTF-16 surrogate";
  return undefined;
}

/** A key as a path segment; one that cannot be shown as is is shown JSON-escaped. */
function segment(key: string): string {
  return stringProblem(key) ? JSON.stringify(key).slice(1, -1) : key;
}

/** The first problem in a parsed value, depth first, with the path that leads to it. */
function firstIssue(root: unknown, maxDepth: number): FieldIssue | undefined {
  const path: string[] = [];
  const visit = (value: unknown, level: number): string | undefined => {
    if (typeof value === "string") return stringProblem(value);
    if (typeof value !== "object" || value === null) return undefined;
    if (level > maxDepth) return `must not nest deeper than ${maxDepth} levels`;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        path.push(String(i));
        const problem = visit(value[i], level + 1);
        if (problem) return problem;
        path.pop();
      }
      return undefined;
    }
    for (const [key, item] of Object.entries(value)) {
      path.push(segment(key));
      if (key === "__proto__") return "Unknown field";
      const keyProblem = stringProblem(key);
      if (keyProblem) return `key ${keyProblem}`;
      const problem = visit(item, level + 1);
      if (problem) return problem;
      path.pop();
    }
    return undefined;
  };
  const message = visit(root, 1);
  return message ? { field: path.join(".") || "body", message } : undefined;
}
