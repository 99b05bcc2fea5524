/**
 * Copies a job's outputs into our storage before the provider deletes them: each is fetched
 * only from the provider's allowed output hosts (redirects re-checked), capped in size, typed
 * by sniffing its bytes (never by header or name), measured, and stored at
 * `{user_id}/{job_id}/{i}.{ext}` in workspace-temp (or user-library).
 */
import type { Tables } from "../db/database.types.ts";
import { inspectMedia } from "../media/inspect.ts";
import { isAllowedOutputUrl, type ProviderEndpoint } from "../providers/provider_config.ts";
import { concatBytes, decodeBase64 } from "../encoding.ts";
import type { JobDeps } from "./job_deps.ts";
import { BUCKETS, type Destination, DESTINATION_BUCKETS } from "../vocabulary.ts";

/** The most bytes one output may have (the buckets' limit). */
export const MAX_OUTPUT_BYTES = 50 * 1024 * 1024;

/** An output stored in our bucket. */
export interface StoredOutput {
  index: number;
  bucket: string;
  path: string;
  mime: string;
  size: number;
  width?: number;
  height?: number;
  durationSeconds?: number;
}

/** The bucket a job's outputs go to. */
export function outputBucket(job: Pick<Tables<"jobs">, "destination">): string {
  return DESTINATION_BUCKETS[job.destination as Destination] ?? BUCKETS.workspace;
}

async function readCapped(
  body: ReadableStream<Uint8Array>,
  max: number,
): Promise<Uint8Array | null> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return concatBytes(chunks);
}

/** Where outputs may come from, and the provider API whose own URLs need its key. */
export interface OutputSource {
  allowedHosts: string[];
  /** The provider's API base URL; only URLs under it get `authHeaders`. */
  apiBase?: string;
  authHeaders?: Record<string, string>;
}

/** The output source of a provider endpoint. */
export function outputSource(ep: ProviderEndpoint): OutputSource {
  return { allowedHosts: ep.allowedOutputHosts, apiBase: ep.baseUrl, authHeaders: ep.authHeaders };
}

/** Fetches one output's bytes, or explains why it was refused. */
export async function fetchOutput(
  url: string,
  source: OutputSource,
  timeoutMs = 60_000,
): Promise<Uint8Array | string> {
  const data = url.match(/^data:[a-z0-9.+/-]+;base64,([A-Za-z0-9+/=]+)$/i);
  if (data) {
    if (data[1].length > (MAX_OUTPUT_BYTES * 4) / 3) return "data URI too large";
    try {
      return decodeBase64(data[1]);
    } catch {
      return "malformed data URI";
    }
  }
  let current = url;
  for (let hop = 0; hop < 4; hop++) {
    if (!isAllowedOutputUrl(current, source.allowedHosts)) {
      return `host not allowed: ${new URL(current).hostname}`;
    }
    // The API key goes only to the provider's own API (OpenRouter serves video content there),
    // never to a file host or wherever a redirect points.
    const ownApi = source.apiBase !== undefined && current.startsWith(`${source.apiBase}/`);
    const res = await fetch(current, {
      redirect: "manual",
      headers: ownApi ? source.authHeaders : undefined,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.status >= 300 && res.status < 400 && res.headers.get("location")) {
      await res.body?.cancel();
      current = new URL(res.headers.get("location")!, current).toString();
      continue;
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      return `download failed with HTTP ${res.status}`;
    }
    const declared = Number(res.headers.get("content-length") ?? "0");
    if (declared > MAX_OUTPUT_BYTES) {
      await res.body.cancel();
      return "output too large";
    }
    return await readCapped(res.body, MAX_OUTPUT_BYTES) ?? "output too large";
  }
  return "too many redirects";
}

/** Downloads and stores every output (up to what was paid for); failures are logged and skipped. */
export async function storeOutputs(
  deps: JobDeps,
  job: Pick<Tables<"jobs">, "id" | "user_id" | "modality" | "num_outputs" | "destination">,
  urls: string[],
  source: OutputSource,
): Promise<StoredOutput[]> {
  const bucket = outputBucket(job);
  const stored: StoredOutput[] = [];
  for (const [index, url] of urls.slice(0, job.num_outputs).entries()) {
    try {
      const bytes = await fetchOutput(url, source);
      if (typeof bytes === "string") {
        deps.log.warn("output refused", { job_id: job.id, index, reason: bytes });
        continue;
      }
      const info = inspectMedia(bytes);
      if (!info || info.kind !== job.modality) {
        deps.log.warn("output refused", {
          job_id: job.id,
          index,
          reason: `not ${job.modality} media`,
        });
        continue;
      }
      const path = `${job.user_id}/${job.id}/${index}.${info.ext}`;
      // upsert: a redelivered webhook rewrites the same object rather than leaving a twin.
      await deps.store.put(bucket, path, bytes, { contentType: info.mime, upsert: true });
      stored.push({
        index,
        bucket,
        path,
        mime: info.mime,
        size: info.size,
        width: info.width,
        height: info.height,
        durationSeconds: info.durationSeconds,
      });
    } catch (err) {
      deps.log.warn("output not stored", { job_id: job.id, index, err });
    }
  }
  return stored;
}
