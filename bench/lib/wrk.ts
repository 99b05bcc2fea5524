/**
 * The load generator: wrk (Debian's package) in its own process, pinned to one core with
 * taskset when available. Requests come from a generated Lua script that cycles through a
 * list of prepared requests (different users, jobs or signed webhooks per request).
 */
import { join } from "node:path";
import { run } from "../../scripts/lib/process.ts";

/** One prepared HTTP request (path includes the query string). */
export interface PreparedRequest {
  method: "GET" | "POST";
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Result of one wrk run. */
export interface WrkResult {
  rps: number;
  requests: number;
  /** Socket errors plus non-2xx/3xx answers. */
  errors: number;
  non2xx: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** Requests sent after the prepared list ran out (the list was reused from the start). */
  wrapped: number;
}

/** How wrk is started. */
export interface WrkOptions {
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  requests: PreparedRequest[];
  connections: number;
  durationS: number;
  /** CPU to pin wrk to (taskset -c), or null. */
  cpu: number | null;
  /** Folder for the generated Lua script. */
  tmpDir: string;
}

// Lua (LuaJIT, 5.1 syntax) string literal: printable ASCII kept, everything else as \ddd.
function luaString(s: string): string {
  let out = '"';
  for (const ch of new TextEncoder().encode(s)) {
    if (ch === 0x22 || ch === 0x5c) out += `\\${String.fromCharCode(ch)}`;
    else if (ch >= 0x20 && ch < 0x7f) out += String.fromCharCode(ch);
    else out += `\\${String(ch).padStart(3, "0")}`;
  }
  return out + '"';
}

function luaScript(requests: PreparedRequest[]): string {
  const lines = ["local reqs = {}"];
  requests.forEach((r, i) => {
    const headers = Object.entries(r.headers ?? {}).map(([k, v]) =>
      `[${luaString(k)}]=${luaString(v)}`
    ).join(",");
    lines.push(
      `reqs[${i + 1}] = {${luaString(r.method)}, ${luaString(r.path)}, {${headers}}, ${
        r.body === undefined ? "nil" : luaString(r.body)
      }}`,
    );
  });
  // Requests are formatted once in init (per thread); request() only picks the next one.
  lines.push(`
local formatted = {}
local n = #reqs
local i = 0
wrapped = 0
function init(args)
  for k = 1, n do
    local r = reqs[k]
    formatted[k] = wrk.format(r[1], r[2], r[3], r[4])
  end
end
function request()
  i = i + 1
  if i > n then
    i = 1
    wrapped = wrapped + n
  end
  return formatted[i]
end
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function done(summary, latency, requests)
  local w = 0
  for _, t in ipairs(threads) do w = w + (t:get("wrapped") or 0) end
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%d,"p95":%d,"p99":%d,"wrapped":%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), w))
end
`);
  return lines.join("\n");
}

let scriptCounter = 0;

/** Writes the request list as a wrk Lua script once; reuse the path for several runs. */
export async function writeWrkScript(
  tmpDir: string,
  requests: PreparedRequest[],
): Promise<string> {
  const path = join(tmpDir, `wrk-${++scriptCounter}.lua`);
  await Deno.writeTextFile(path, luaScript(requests));
  return path;
}

/** True when taskset exists (util-linux). */
export async function hasTaskset(): Promise<boolean> {
  const res = await run(["sh", "-c", "command -v taskset"], {
    allowFail: true,
  });
  return res.code === 0;
}

/** Runs wrk once with a script written by {@link writeWrkScript}. */
export async function runWrk(
  opts: Omit<WrkOptions, "requests" | "tmpDir"> & { script: string },
): Promise<WrkResult> {
  const threads = 1;
  const argv = [
    ...(opts.cpu === null ? [] : ["taskset", "-c", String(opts.cpu)]),
    "wrk",
    `-t${threads}`,
    `-c${Math.max(threads, opts.connections)}`,
    `-d${opts.durationS}s`,
    "--timeout",
    "30s",
    "-s",
    opts.script,
    opts.baseUrl,
  ];
  const res = await run(argv, { allowFail: true });
  const line = res.stdout.split("\n").find((l) => l.startsWith("WRKJSON "));
  if (res.code !== 0 || !line) {
    throw new Error(`wrk failed (${res.code}): ${res.stdout}\n${res.stderr}`);
  }
  const j = JSON.parse(line.slice(8));
  const seconds = j.duration_us / 1e6;
  const non2xx = j.status;
  return {
    rps: (j.requests - non2xx) / seconds,
    requests: j.requests,
    errors: j.connect + j.read + j.write + j.timeout + non2xx,
    non2xx,
    p50Ms: j.p50 / 1000,
    p95Ms: j.p95 / 1000,
    p99Ms: j.p99 / 1000,
    wrapped: j.wrapped,
  };
}
