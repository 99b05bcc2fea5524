/** Request bodies for the hostile-input tests, and a one-line summary of each answer. */

/**
 * One line per answer, so a test compares a whole table of cases at once: the status, the
 * envelope's code, whether its details name `field`, and whether it is a proper envelope (request
 * id, CORS, JSON).
 */
export async function outcome(res: Response, field?: string): Promise<string> {
  const text = await res.text();
  let error: { code?: string; request_id?: unknown; details?: { field: string }[] } | undefined;
  try {
    error = JSON.parse(text).error;
  } catch {
    // Not JSON: reported below as no envelope.
  }
  const envelope = typeof error?.request_id === "string" &&
    res.headers.get("access-control-allow-origin") === "*" &&
    /^application\/json/.test(res.headers.get("content-type") ?? "");
  const named = field === undefined
    ? ""
    : error?.details?.some((d) => d.field.startsWith(field))
    ? ` names ${field}`
    : ` misses ${field}`;
  return `${res.status} ${error?.code ?? text.slice(0, 80)}${named}${
    envelope ? "" : " (no envelope)"
  }`;
}

/** `bytes` sent in chunks of `size`, so fetch sends no Content-Length. */
export function chunked(bytes: Uint8Array, size = 16_384): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(ctrl) {
      if (sent >= bytes.byteLength) return ctrl.close();
      ctrl.enqueue(bytes.slice(sent, sent + size));
      sent += size;
    },
  });
}

/** `total` bytes of blanks, streamed. */
export const streamed = (total: number, size?: number) =>
  chunked(new Uint8Array(total).fill(0x20), size);
