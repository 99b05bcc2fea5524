/**
 * Byte builders for the media the simulators serve and the tests feed to `shared/media`: built in
 * code, so no binary files are committed. Test and simulator code only; production code in
 * `shared/` never imports `simulators/`.
 */

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Latin-1 text as bytes. */
export function text(value: string): Uint8Array {
  return Uint8Array.from(value, (c) => c.charCodeAt(0));
}

/** Big-endian 32-bit words as bytes. */
export function be32(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  values.forEach((v, i) => new DataView(out.buffer).setUint32(i * 4, v >>> 0));
  return out;
}

/** Big-endian 16-bit words as bytes. */
export function be16(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  values.forEach((v, i) => new DataView(out.buffer).setUint16(i * 2, v));
  return out;
}

/** Little-endian 16-bit words as bytes. */
export function le16(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  values.forEach((v, i) => new DataView(out.buffer).setUint16(i * 2, v, true));
  return out;
}

/** Little-endian 32-bit words as bytes. */
export function le32(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  values.forEach((v, i) => new DataView(out.buffer).setUint32(i * 4, v >>> 0, true));
  return out;
}
