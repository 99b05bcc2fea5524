/**
 * Real image headers (and a complete, decodable PNG) for the `shared/media` tests. Test-only:
 * production code must not import this module.
 */
import { be16, be32, concat, le16, le32, text } from "./fixture_bytes.ts";

/** CRC-32 (IEEE), as PNG chunks use it. */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const body = concat(text(type), data);
  return concat(be32(data.length), body, be32(crc32(body)));
}

/** A complete, decodable RGB PNG (IHDR, zlib IDAT, IEND, correct CRCs). */
export async function makePng(width: number, height: number): Promise<Uint8Array> {
  // Each scanline: filter type 0, then RGB pixels.
  const raw = new Uint8Array(height * (1 + width * 3));
  for (let i = 0; i < raw.length; i++) raw[i] = i % (1 + width * 3) === 0 ? 0 : i & 0xff;
  const zlib = new Uint8Array(
    await new Response(new Blob([raw]).stream().pipeThrough(new CompressionStream("deflate")))
      .arrayBuffer(),
  );
  const ihdr = concat(be32(width, height), Uint8Array.of(8, 2, 0, 0, 0));
  return concat(
    Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", zlib),
    pngChunk("IEND", new Uint8Array()),
  );
}

/** A JPEG header: SOI, APP0 (JFIF), DQT, SOF0 with the given size, then EOI. */
export function makeJpeg(width: number, height: number, sof = 0xc0): Uint8Array {
  const app0 = concat(Uint8Array.of(0xff, 0xe0), be16(16), text("JFIF\0"), new Uint8Array(9));
  const dqt = concat(Uint8Array.of(0xff, 0xdb), be16(67), new Uint8Array(65));
  const sof0 = concat(
    Uint8Array.of(0xff, sof),
    be16(17),
    Uint8Array.of(8),
    be16(height, width),
    Uint8Array.of(3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1),
  );
  return concat(Uint8Array.of(0xff, 0xd8), app0, dqt, sof0, Uint8Array.of(0xff, 0xd9));
}

function riffWebp(chunk: string, data: Uint8Array): Uint8Array {
  const padded = data.length % 2 ? concat(data, new Uint8Array(1)) : data;
  const body = concat(text("WEBP"), text(chunk), le32(data.length), padded);
  return concat(text("RIFF"), le32(body.length), body);
}

/** An extended (VP8X) WebP header with the given canvas size. */
export function makeWebpVp8x(width: number, height: number): Uint8Array {
  const w = width - 1;
  const h = height - 1;
  return riffWebp(
    "VP8X",
    Uint8Array.of(
      0,
      0,
      0,
      0,
      w & 0xff,
      (w >> 8) & 0xff,
      w >> 16,
      h & 0xff,
      (h >> 8) & 0xff,
      h >> 16,
    ),
  );
}

/** A lossless (VP8L) WebP header. */
export function makeWebpVp8l(width: number, height: number): Uint8Array {
  const bits = (width - 1) | ((height - 1) << 14);
  return riffWebp("VP8L", concat(Uint8Array.of(0x2f), le32(bits), new Uint8Array(5)));
}

/** A lossy (VP8) WebP key-frame header. */
export function makeWebpVp8(width: number, height: number): Uint8Array {
  return riffWebp(
    "VP8 ",
    concat(
      Uint8Array.of(0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a),
      le16(width, height),
      new Uint8Array(8),
    ),
  );
}

/** A GIF89a header with the given logical screen size. */
export function makeGif(width: number, height: number): Uint8Array {
  return concat(text("GIF89a"), le16(width, height), Uint8Array.of(0, 0, 0), text(";"));
}
