/**
 * Real image bytes: a complete, decodable PNG of any size (what the simulators serve as outputs)
 * and the headers of JPEG, WebP and GIF files (what the `shared/media` tests read sizes from).
 */
import { be16, be32, concat, le16, le32, text } from "./bytes.ts";

const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE), as PNG chunks use it. */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of bytes) crc = crcTable[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const body = concat(text(type), data);
  return concat(be32(data.length), body, be32(crc32(body)));
}

async function deflate(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Options for {@link pngBytes}. */
export interface PngOptions {
  /** RGB fill. @default [64, 128, 192] */
  color?: [number, number, number];
}

/**
 * A complete, decodable RGB PNG of `width`x`height`: IHDR, one zlib IDAT (CompressionStream),
 * IEND, correct CRCs. One solid colour, so even 1024x1024 compresses to a few KB.
 */
export async function pngBytes(
  width: number,
  height: number,
  opts: PngOptions = {},
): Promise<Uint8Array> {
  const [r, g, b] = opts.color ?? [64, 128, 192];
  const stride = width * 3 + 1;
  const raw = new Uint8Array(stride * height);
  const row = new Uint8Array(stride);
  // Filter byte 0 (None) then the pixels; every row is the same, so build one and copy it.
  for (let x = 0; x < width; x++) row.set([r, g, b], 1 + x * 3);
  for (let y = 0; y < height; y++) raw.set(row, y * stride);
  // 8-bit depth, truecolour, deflate, no filter set, no interlace.
  const ihdr = concat(be32(width, height), Uint8Array.of(8, 2, 0, 0, 0));
  return concat(
    PNG_SIGNATURE,
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", await deflate(raw)),
    pngChunk("IEND", new Uint8Array()),
  );
}

/** A JPEG header: SOI, APP0 (JFIF), DQT, SOF0 (or `sof`) with the given size, then EOI. */
export function jpegBytes(width: number, height: number, sof = 0xc0): Uint8Array {
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
export function webpVp8xBytes(width: number, height: number): Uint8Array {
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
export function webpVp8lBytes(width: number, height: number): Uint8Array {
  const bits = (width - 1) | ((height - 1) << 14);
  return riffWebp("VP8L", concat(Uint8Array.of(0x2f), le32(bits), new Uint8Array(5)));
}

/** A lossy (VP8) WebP key-frame header. */
export function webpVp8Bytes(width: number, height: number): Uint8Array {
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
export function gifBytes(width: number, height: number): Uint8Array {
  return concat(text("GIF89a"), le16(width, height), Uint8Array.of(0, 0, 0), text(";"));
}
