/**
 * Structured JSON logging: one object per line. Secrets, JWTs and prompts are never passed in;
 * `redact` is a last line of defence for keys that look secret.
 */

/** Log levels, lowest first. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY = /(authorization|apikey|api_key|token|secret|password|jwt|cookie)/i;

/** A logger writing JSON lines. */
export interface Logger {
  /** Whether lines of this level are written (skip work for lines that would be dropped). */
  enabled(level: LogLevel): boolean;
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  level?: LogLevel;
  /** Fields on every line (e.g. the function name). */
  base?: Record<string, unknown>;
  /** Where lines go; defaults to the console. */
  sink?: (line: string) => void;
  clock?: () => Date;
}

/** Replaces values of secret-looking keys, recursively. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 5 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) ? "[redacted]" : redact(v, depth + 1);
  }
  return out;
}

function errorFields(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  return { name: err.name, message: err.message, cause: errorFields(err.cause) };
}

/** Creates a JSON-lines logger. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const min = ORDER[opts.level ?? "info"];
  const sink = opts.sink ?? ((line: string) => console.log(line));
  const clock = opts.clock ?? (() => new Date());
  const write = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < min) return;
    const { err, ...rest } = fields ?? {};
    const extra = redact(rest) as Record<string, unknown>;
    if (err !== undefined) extra.err = errorFields(err);
    sink(JSON.stringify({ ts: clock().toISOString(), level, msg, ...opts.base, ...extra }));
  };
  return {
    enabled: (level) => ORDER[level] >= min,
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
  };
}
