/**
 * A small multipart/form-data reader for the simulator's uploads. supabase-js sends a Blob as
 * a part named "" (empty), which Deno's own `Request.formData()` silently drops, so the body
 * is parsed here. Multipart bodies are buffered (raw bodies, the adapter's path, stream).
 */

/** One part of a multipart body. */
export interface MultipartPart {
  name: string;
  filename: string | null;
  contentType: string | null;
  data: Uint8Array;
}

/** Parses `body` with the boundary from `contentType`; null when it is not valid multipart. */
export function parseMultipart(body: Uint8Array, contentType: string): MultipartPart[] | null {
  const boundary = contentType.match(/boundary=(?:"([^"]+)"|([^;]+))/i);
  if (!boundary) return null;
  const delimiter = new TextEncoder().encode(`--${boundary[1] ?? boundary[2].trim()}`);
  const parts: MultipartPart[] = [];
  let start = indexOf(body, delimiter, 0);
  if (start === -1) return null;
  const decoder = new TextDecoder();
  while (true) {
    let cursor = start + delimiter.length;
    // `--` after a delimiter closes the body.
    if (body[cursor] === 0x2d && body[cursor + 1] === 0x2d) return parts;
    cursor += 2; // CRLF after the delimiter
    const headerEnd = indexOf(body, CRLF2, cursor);
    if (headerEnd === -1) return null;
    const headers = decoder.decode(body.subarray(cursor, headerEnd)).split("\r\n");
    const next = indexOf(body, delimiter, headerEnd + 4);
    if (next === -1) return null;
    const disposition = headers.find((h) => /^content-disposition:/i.test(h)) ?? "";
    const type = headers.find((h) => /^content-type:/i.test(h));
    parts.push({
      name: disposition.match(/\bname="([^"]*)"/i)?.[1] ?? "",
      filename: disposition.match(/\bfilename="([^"]*)"/i)?.[1] ?? null,
      contentType: type ? type.slice(type.indexOf(":") + 1).trim() : null,
      // The part's data ends before the CRLF that precedes the next delimiter.
      data: body.subarray(headerEnd + 4, next - 2),
    });
    start = next;
  }
}

const CRLF2 = new Uint8Array([13, 10, 13, 10]);

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0];
  for (let i = haystack.indexOf(first, from); i !== -1; i = haystack.indexOf(first, i + 1)) {
    if (i + needle.length > haystack.length) return -1;
    let match = true;
    for (let j = 1; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) {
        match = false;
        break;
      }
    }
    if (match) return i;
  }
  return -1;
}
