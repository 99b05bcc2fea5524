/**
 * Pixel dimensions from image headers (PNG, JPEG, WebP, GIF). Every read is bounds-checked and
 * every loop advances, so crafted or truncated input yields null rather than a throw or a hang.
 */
import { ascii, u16be, u16le, u24le, u32be, u32le } from "./bytes.ts";
import type { ImageMime } from "./sniff.ts";

/** Width and height in pixels, both positive. */
export interface ImageSize {
  width: number;
  height: number;
}

/** Upper bound on JPEG segments walked before giving up; real files have a few dozen. */
const MAX_JPEG_SEGMENTS = 4096;

/**
 * Reads the pixel size of an image whose type was already sniffed. Returns null when the header
 * is truncated, malformed or states a zero size.
 */
export function imageSize(bytes: Uint8Array, mime: ImageMime): ImageSize | null {
  switch (mime) {
    case "image/png":
      return pngSize(bytes);
    case "image/jpeg":
      return jpegSize(bytes);
    case "image/webp":
      return webpSize(bytes);
    case "image/gif":
      return size(u16le(bytes, 6), u16le(bytes, 8));
    default:
      return null;
  }
}

function size(width: number | null, height: number | null): ImageSize | null {
  return width && height ? { width, height } : null;
}

function pngSize(bytes: Uint8Array): ImageSize | null {
  // IHDR must be the first chunk, with exactly 13 data bytes.
  if (u32be(bytes, 8) !== 13 || ascii(bytes, 12, 4) !== "IHDR") return null;
  const width = u32be(bytes, 16);
  const height = u32be(bytes, 20);
  // The spec caps PNG dimensions at 2^31 - 1.
  if (width === null || height === null || width > 0x7fffffff || height > 0x7fffffff) return null;
  return size(width, height);
}

function jpegSize(bytes: Uint8Array): ImageSize | null {
  let pos = 2;
  for (let i = 0; i < MAX_JPEG_SEGMENTS; i++) {
    if (bytes[pos] !== 0xff) return null;
    // Any number of 0xFF fill bytes may precede a marker.
    while (bytes[pos + 1] === 0xff) pos++;
    const marker = bytes[pos + 1];
    if (marker === undefined) return null;
    // Standalone markers (TEM, RSTn, a stray SOI) have no length field.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      pos += 2;
      continue;
    }
    // Entropy-coded data or the end of the image before any frame header: no size to report.
    if (marker === 0xda || marker === 0xd9) return null;
    const length = u16be(bytes, pos + 2);
    if (length === null || length < 2) return null;
    if (isStartOfFrame(marker)) {
      if (length < 7) return null;
      // SOFn: length(2) precision(1) height(2) width(2). A zero height is defined later by a
      // DNL marker, which generated images never use.
      return size(u16be(bytes, pos + 7), u16be(bytes, pos + 5));
    }
    pos += 2 + length;
  }
  return null;
}

/** SOF0–SOF15, excluding DHT (C4), JPG (C8) and DAC (CC), which share the range. */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 &&
    marker !== 0xcc;
}

function webpSize(bytes: Uint8Array): ImageSize | null {
  const chunk = ascii(bytes, 12, 4);
  if (chunk === "VP8X") {
    // Canvas size minus one, 24-bit little-endian, after 4 bytes of flags.
    const width = u24le(bytes, 24);
    const height = u24le(bytes, 27);
    return width === null || height === null ? null : size(width + 1, height + 1);
  }
  if (chunk === "VP8L") {
    if (bytes[20] !== 0x2f) return null;
    const bits = u32le(bytes, 21);
    if (bits === null) return null;
    return size((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  if (chunk === "VP8 ") {
    // Lossy key frame: 3-byte frame tag, start code 9D 01 2A, then 14-bit width and height
    // (the top two bits are a scaling hint).
    if (bytes[23] !== 0x9d || bytes[24] !== 0x01 || bytes[25] !== 0x2a) return null;
    const width = u16le(bytes, 26);
    const height = u16le(bytes, 28);
    return width === null || height === null ? null : size(width & 0x3fff, height & 0x3fff);
  }
  return null;
}
