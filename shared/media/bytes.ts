/**
 * Bounds-checked readers for binary headers. Each returns null (or "") past the end of the
 * buffer instead of reading `undefined` as 0, so truncated input stays distinguishable.
 */

/** Big-endian unsigned 16-bit integer at `offset`, or null when out of bounds. */
export function u16be(bytes: Uint8Array, offset: number): number | null {
  if (offset < 0 || offset + 2 > bytes.length) return null;
  return (bytes[offset] << 8) | bytes[offset + 1];
}

/** Big-endian unsigned 32-bit integer at `offset`, or null when out of bounds. */
export function u32be(bytes: Uint8Array, offset: number): number | null {
  if (offset < 0 || offset + 4 > bytes.length) return null;
  return ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) |
    bytes[offset + 3]) >>> 0;
}

/**
 * Big-endian unsigned 64-bit integer at `offset` as a number, or null when out of bounds.
 * Values above 2^53 lose precision; callers compare them against buffer sizes, which are far
 * smaller.
 */
export function u64be(bytes: Uint8Array, offset: number): number | null {
  const high = u32be(bytes, offset);
  const low = u32be(bytes, offset + 4);
  return high === null || low === null ? null : high * 2 ** 32 + low;
}

/** Little-endian unsigned 16-bit integer at `offset`, or null when out of bounds. */
export function u16le(bytes: Uint8Array, offset: number): number | null {
  if (offset < 0 || offset + 2 > bytes.length) return null;
  return bytes[offset] | (bytes[offset + 1] << 8);
}

/** Little-endian unsigned 24-bit integer at `offset`, or null when out of bounds. */
export function u24le(bytes: Uint8Array, offset: number): number | null {
  if (offset < 0 || offset + 3 > bytes.length) return null;
  return bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16);
}

/** Little-endian unsigned 32-bit integer at `offset`, or null when out of bounds. */
export function u32le(bytes: Uint8Array, offset: number): number | null {
  if (offset < 0 || offset + 4 > bytes.length) return null;
  return ((bytes[offset + 3] << 24) | (bytes[offset + 2] << 16) | (bytes[offset + 1] << 8) |
    bytes[offset]) >>> 0;
}

/** `length` bytes at `offset` as Latin-1 text (e.g. a FourCC), or "" when out of bounds. */
export function ascii(bytes: Uint8Array, offset: number, length: number): string {
  if (offset < 0 || offset + length > bytes.length) return "";
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}
