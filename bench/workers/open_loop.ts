/**
 * Scenario 3c's load generator: sends prepared requests at a fixed arrival rate (open loop:
 * request i leaves at start + i / rate whether or not earlier ones were answered, so a slow
 * server meets more load, not less, unlike wrk's closed loop). Reads
 * `{baseUrl, requests, ratePerS, durationS}` as JSON on stdin and prints one JSON line: for each
 * request its scheduled and actual send time and answer time (epoch ms, fractional), status and
 * the job id from the answer.
 */

/** One request to send (path includes the query string). */
interface Prepared {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** What happened to one request. */
interface Sent {
  dueMs: number;
  sentMs: number;
  answeredMs: number;
  status: number;
  jobId: string | null;
}

const input = JSON.parse(await new Response(Deno.stdin.readable).text()) as {
  baseUrl: string;
  requests: Prepared[];
  ratePerS: number;
  durationS: number;
};
// Epoch milliseconds with performance.now()'s resolution, comparable with database timestamps.
const now = () => performance.timeOrigin + performance.now();
const count = Math.max(1, Math.round(input.ratePerS * input.durationS));
const intervalMs = 1000 / input.ratePerS;
const results: Promise<Sent>[] = [];

async function send(req: Prepared, dueMs: number): Promise<Sent> {
  const sentMs = now();
  try {
    const res = await fetch(input.baseUrl + req.path, {
      method: req.method,
      headers: req.headers,
      body: req.body,
    });
    const text = await res.text();
    const answeredMs = now();
    let jobId: string | null = null;
    try {
      jobId = JSON.parse(text)?.job?.id ?? null;
    } catch { /* not JSON: an error page */ }
    return { dueMs, sentMs, answeredMs, status: res.status, jobId };
  } catch {
    return { dueMs, sentMs, answeredMs: now(), status: 0, jobId: null };
  }
}

const start = now() + 50;
for (let i = 0; i < count; i++) {
  const due = start + i * intervalMs;
  const wait = due - now();
  // Timers fire late by up to a millisecond or so; the actual send time is what gets recorded.
  if (wait > 0.5) await new Promise((r) => setTimeout(r, wait));
  results.push(send(input.requests[i % input.requests.length], due));
}
console.log(JSON.stringify({ sent: await Promise.all(results) }));
