/**
 * Real media bytes for the simulators' outputs: a PNG of any size (solid colour, so even
 * 1024x1024 compresses to a few KB) and a minimal MP4 (ftyp + moov + mdat) that box parsers
 * read for duration and dimensions. Neither holds a decodable picture beyond that.
 */

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Options for {@link pngBytes}. */
export interface PngOptions {
  /** RGB fill. @default [64, 128, 192] */
  color?: [number, number, number];
}

/** A valid RGB PNG of `width`x`height` (zlib via CompressionStream). */
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
  const idat = await deflate(raw);

  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit depth, truecolour, deflate, no filter set, no interlace
  return concat([
    new Uint8Array(PNG_SIGNATURE),
    chunk("IHDR", ihdr),
    chunk("IDAT", idat),
    chunk("IEND", new Uint8Array()),
  ]);
}

/** Options for {@link mp4Bytes}. */
export interface Mp4Options {
  width: number;
  height: number;
  /** Seconds (fractions allowed). */
  durationSeconds: number;
  /** @default 1000 */
  timescale?: number;
  /** Size of the mdat payload. @default 1024 */
  payloadBytes?: number;
}

/** A minimal MP4: ftyp, moov (mvhd, one video trak), mdat. */
export function mp4Bytes(opts: Mp4Options): Uint8Array {
  const timescale = opts.timescale ?? 1000;
  const duration = Math.round(opts.durationSeconds * timescale);
  const matrix = u32s(0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000);
  const ftyp = box("ftyp", ascii("isom"), u32s(512), ascii("isomiso2avc1mp41"));
  const mvhd = fullBox(
    "mvhd",
    0,
    0,
    u32s(0, 0, timescale, duration, 0x00010000),
    u16s(0x0100, 0),
    new Uint8Array(8),
    matrix,
    new Uint8Array(24),
    u32s(2),
  );
  const tkhd = fullBox(
    "tkhd",
    0,
    3, // enabled | in movie
    u32s(0, 0, 1, 0, duration, 0, 0),
    u16s(0, 0, 0, 0),
    matrix,
    u32s(Math.round(opts.width * 65536), Math.round(opts.height * 65536)),
  );
  const mdhd = fullBox("mdhd", 0, 0, u32s(0, 0, timescale, duration), u16s(0x55c4, 0)); // "und"
  const hdlr = fullBox("hdlr", 0, 0, u32s(0), ascii("vide"), new Uint8Array(12), ascii("Sim\0"));
  const vmhd = fullBox("vmhd", 0, 1, new Uint8Array(8));
  const dref = fullBox("dref", 0, 0, u32s(1), fullBox("url ", 0, 1));
  const stbl = box(
    "stbl",
    fullBox("stsd", 0, 0, u32s(0)),
    fullBox("stts", 0, 0, u32s(0)),
    fullBox("stsc", 0, 0, u32s(0)),
    fullBox("stsz", 0, 0, u32s(0, 0)),
    fullBox("stco", 0, 0, u32s(0)),
  );
  const minf = box("minf", vmhd, box("dinf", dref), stbl);
  const trak = box("trak", tkhd, box("mdia", mdhd, hdlr, minf));
  const payload = new Uint8Array(opts.payloadBytes ?? 1024).map((_, i) => i % 251);
  return concat([ftyp, box("moov", mvhd, trak), box("mdat", payload)]);
}

function box(type: string, ...parts: Uint8Array[]): Uint8Array {
  const body = concat(parts);
  const out = new Uint8Array(8 + body.length);
  new DataView(out.buffer).setUint32(0, out.length);
  out.set(ascii(type), 4);
  out.set(body, 8);
  return out;
}

function fullBox(type: string, version: number, flags: number, ...parts: Uint8Array[]) {
  return box(type, u32s(((version & 0xff) << 24 | (flags & 0xffffff)) >>> 0), ...parts);
}

function u32s(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint32(i * 4, v >>> 0));
  return out;
}

function u16s(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint16(i * 2, v));
  return out;
}

function ascii(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const typed = concat([ascii(type), data]);
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(typed, 4);
  view.setUint32(8 + data.length, crc32(typed));
  return out;
}

async function deflate(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

let crcTable: Uint32Array | undefined;

function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of data) crc = crcTable[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
