/**
 * The postgres.js connection factory. Values arrive as the generated types say: timestamps as
 * ISO-8601 strings (microseconds kept), dates as `YYYY-MM-DD`, int8 and numeric as numbers
 * (a value that a JS number cannot hold exactly is an error, never silently rounded).
 */
import postgres from "postgres";
import { installNodeImmediate } from "./node_immediate.ts";

/** A postgres.js pool (also the type of a transaction handle's parent). */
export type Sql = postgres.Sql<Record<string, never>>;
/** A transaction handle inside `sql.begin`. */
export type Tx = postgres.TransactionSql<Record<string, never>>;

/** `2026-11-22 05:36:00.123456+00` → `2026-11-22T05:36:00.123456+00:00` (session is UTC). */
export function parseTimestamp(raw: string): string {
  const iso = raw.replace(" ", "T");
  return /[+-]\d\d$/.test(iso) ? `${iso}:00` : iso;
}

/** int8 → number, refusing values beyond 2^53. */
export function parseBigint(raw: string): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(`int8 value ${raw} exceeds the safe integer range`);
  }
  return n;
}

/** numeric → number, refusing values a double cannot hold to integer precision. */
export function parseNumeric(raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || Math.abs(n) > Number.MAX_SAFE_INTEGER) {
    throw new RangeError(`numeric value ${raw} is out of range for a number`);
  }
  return n;
}

const serializeTime = (x: unknown) => x instanceof Date ? x.toISOString() : String(x);

/** Options for {@link createDb}. */
export interface DbOptions {
  /** Connections in the pool. @default 4 */
  max?: number;
  /** Prepared statements; must be off on a transaction pooler. @default true unless port 6543 */
  prepare?: boolean;
  /** Seconds to wait for a connection. @default 5 */
  connectTimeout?: number;
  applicationName?: string;
}

/** Creates a lazily connecting pool. */
export function createDb(url: string, opts: DbOptions = {}): Sql {
  installNodeImmediate();
  const pooler = /:6543(\/|$)/.test(url);
  return postgres(url, {
    max: opts.max ?? 4,
    prepare: opts.prepare ?? !pooler,
    connect_timeout: opts.connectTimeout ?? 5,
    idle_timeout: 30,
    onnotice: () => {},
    transform: { undefined: null },
    connection: { application_name: opts.applicationName ?? "generation-backend", TimeZone: "UTC" },
    types: {
      timestamptz: {
        to: 1184,
        from: [1184, 1114],
        serialize: serializeTime,
        parse: parseTimestamp,
      },
      date: { to: 1082, from: [1082], serialize: serializeTime, parse: (x: string) => x },
      int8: { to: 20, from: [20], serialize: (x: unknown) => String(x), parse: parseBigint },
      numeric: {
        to: 1700,
        from: [1700],
        serialize: (x: unknown) => String(x),
        parse: parseNumeric,
      },
    },
  }) as unknown as Sql;
}
