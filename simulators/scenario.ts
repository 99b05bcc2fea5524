/**
 * Per-request behaviour of the provider simulators. A scenario is a JSON object of knobs,
 * merged in this order (later wins; `webhook` is merged key by key):
 *   1. the simulator's `defaults` option;
 *   2. the model version or model key, when it contains `sim:<base64url(JSON)>` or
 *      `sim:{...json...}` (e.g. version `sim:eyJvdXRjb21lIjoiZmFpbGVkIn0`, model
 *      `sim/flux-sim:eyJvdXRwdXRzIjozfQ`);
 *   3. a directive anywhere in the prompt / last user message: `[[sim:{...json...}]]` (stripped
 *      from the text the simulators echo).
 *
 * Knobs (all optional):
 *   latency_ms          base latency; 0 = as fast as possible (benchmarks)        [both]
 *   delay_ms            time from create to the terminal status (default 3×latency) [both]
 *   outcome             "succeeded" | "failed" | "canceled" | "aborted"            [replicate]
 *                       "completed" | "failed" | "cancelled" | "expired"           [openrouter video]
 *   error               error message of a failed prediction / video job          [both]
 *   media               "image" | "video" (default: video when the model/version names
 *                       "video" or the input has `duration`)                       [replicate]
 *   outputs             number of image outputs (default input.num_outputs or 1)  [replicate]
 *   output_shape        "array" | "string" | "object" ({"images": [...]})          [replicate]
 *   width, height       output size (default input.width/height, 1024x1024 images,
 *                       1280x720 videos)                                           [both]
 *   duration            video seconds (default input.duration or 5)               [both]
 *   create_status       429 | 5xx: answer the create call with this status        [both]
 *   retry_after         seconds in the 429's Retry-After header (default 1)       [both]
 *   hang                accept the create call and never answer                   [both]
 *   fail_first          only the first N create calls with the same scenario key
 *                       fail (create_status or hang); later ones succeed          [both]
 *   key                 the scenario key for fail_first (default: model + prompt)  [both]
 *   webhook.duplicate   probability (or true) of sending an event twice, same id  [both]
 *   webhook.reorder     probability (or true) of holding an event back until after
 *                       the next one (so `completed` can arrive before `output`)  [both]
 *   webhook.drop        true: never send the terminal event; or a list of events  [both]
 *   webhook.delay_ms    extra delay before each delivery                          [both]
 *   webhook.retries     retries of the terminal event on non-2xx (default 3)      [both]
 *   stream_error_after  after N content chunks send an error chunk with
 *                       finish_reason "error" and end the stream                   [openrouter]
 *   stream_error        {code, message} of that chunk                             [openrouter]
 *   fallback_fail       models that fail (the next of `models` answers)           [openrouter]
 *   processing_comments number of `: OPENROUTER PROCESSING` lines (default 2)     [openrouter]
 *   reply               fixed reply text instead of the echo                      [openrouter]
 *   reply_repeat        the reply N times over, joined by spaces (long replies)   [openrouter]
 *   cost                cost reported in usage (default derived from tokens)      [openrouter]
 *   broadcast           true (configured URL) or {"url": ...}: post a Broadcast
 *                       OTLP trace after the generation finishes                  [openrouter]
 *
 * Not covered, on purpose: Replicate's `Cancel-After` deadlines, `data:` URI outputs, file
 * uploads, streaming (`urls.stream`), trainings, deployments; OpenRouter tool calls,
 * reasoning tokens, images in chat, `/generation` stats, `/auth/key`, video `previous_job_id`.
 */

/** Webhook delivery knobs. */
export interface WebhookKnobs {
  duplicate?: number | boolean;
  reorder?: number | boolean;
  drop?: boolean | string[];
  delay_ms?: number;
  retries?: number;
}

/** The knobs described at the top of this file. */
export interface Scenario {
  latency_ms?: number;
  delay_ms?: number;
  outcome?: string;
  error?: string;
  media?: "image" | "video";
  outputs?: number;
  output_shape?: "array" | "string" | "object";
  width?: number;
  height?: number;
  duration?: number;
  create_status?: number;
  retry_after?: number;
  hang?: boolean;
  fail_first?: number;
  key?: string;
  webhook?: WebhookKnobs;
  stream_error_after?: number;
  stream_error?: { code?: number | string; message?: string };
  fallback_fail?: string[];
  processing_comments?: number;
  reply?: string;
  reply_repeat?: number;
  cost?: number;
  broadcast?: boolean | { url?: string };
}

/** A malformed `sim:` marker or directive (answered with a 4xx so the test author notices). */
export class ScenarioError extends Error {}

const DIRECTIVE_START = "[[sim:";

/** Reads the scenario embedded in a model version or key (`sim:<base64url>` or `sim:{json}`). */
export function scenarioFromModel(ref: string | undefined | null): Scenario {
  if (!ref) return {};
  const decoded = safeDecode(ref);
  const at = decoded.indexOf("sim:");
  if (at < 0) return {};
  const rest = decoded.slice(at + 4);
  if (rest.startsWith("{")) return parseObject(rest.slice(0, rest.lastIndexOf("}") + 1), ref);
  const token = rest.match(/^[A-Za-z0-9_-]+/)?.[0];
  if (!token) return {};
  let json: string;
  try {
    const b64 = token.replace(/-/g, "+").replace(/_/g, "/");
    json = new TextDecoder().decode(
      Uint8Array.from(atob(b64 + "=".repeat((4 - b64.length % 4) % 4)), (c) => c.charCodeAt(0)),
    );
  } catch {
    throw new ScenarioError(`Invalid sim: marker in ${ref}`);
  }
  return parseObject(json, ref);
}

/** Finds a `[[sim:{...}]]` directive; returns it and the text without it. */
export function scenarioFromText(text: string | undefined | null): {
  scenario: Scenario;
  text: string;
} {
  if (!text) return { scenario: {}, text: text ?? "" };
  const start = text.indexOf(DIRECTIVE_START);
  if (start < 0) return { scenario: {}, text };
  const jsonStart = start + DIRECTIVE_START.length;
  // The JSON may itself contain "]]", so try each "}]]" until the object parses.
  for (let end = text.indexOf("}]]", jsonStart); end >= 0; end = text.indexOf("}]]", end + 1)) {
    try {
      const scenario = parseObject(text.slice(jsonStart, end + 1), text);
      const stripped = (text.slice(0, start) + text.slice(end + 3)).replace(/\s{2,}/g, " ").trim();
      return { scenario, text: stripped };
    } catch {
      // not this one
    }
  }
  throw new ScenarioError("Unterminated or invalid [[sim:{...}]] directive");
}

/** Merges scenarios left to right; `webhook` is merged key by key. */
export function mergeScenarios(...parts: (Scenario | undefined)[]): Scenario {
  const out: Scenario = {};
  for (const part of parts) {
    if (!part) continue;
    const webhook = part.webhook ? { ...out.webhook, ...part.webhook } : out.webhook;
    Object.assign(out, part);
    if (webhook) out.webhook = webhook;
  }
  return out;
}

/** True with probability `p` (booleans are 0 or 1). */
export function chance(p: number | boolean | undefined, random: () => number = Math.random) {
  if (p === true) return true;
  if (!p) return false;
  return random() < p;
}

/**
 * Counts create calls per scenario key so `fail_first: N` fails exactly the first N
 * (concurrent tests use different keys, so they do not share counters).
 */
export class FailureCounter {
  #seen = new Map<string, number>();

  /** True when this call should fail (failures configured and, with fail_first, not used up). */
  shouldFail(scenario: Scenario, fallbackKey: string): boolean {
    if (!scenario.hang && !scenario.create_status) return false;
    if (scenario.fail_first === undefined) return true;
    const key = scenario.key ?? fallbackKey;
    const n = (this.#seen.get(key) ?? 0) + 1;
    this.#seen.set(key, n);
    return n <= scenario.fail_first;
  }

  clear(): void {
    this.#seen.clear();
  }
}

function parseObject(json: string, where: string): Scenario {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new ScenarioError(`Invalid scenario JSON in ${where.slice(0, 120)}`);
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new ScenarioError(`A scenario must be a JSON object (${where.slice(0, 120)})`);
  }
  return value as Scenario;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
