/**
 * ISO BMFF boxes and a small faststart MP4 for the `shared/media` tests. Test-only: production
 * code must not import this module.
 */
import { be16, be32, concat, text } from "./fixture_bytes.ts";

/** An ISO BMFF box. */
export function box(type: string, ...payload: Uint8Array[]): Uint8Array {
  const body = concat(...payload);
  return concat(be32(8 + body.length), text(type), body);
}

/** An ISO BMFF full box (version and flags before the payload). */
export function fullBox(type: string, version: number, ...payload: Uint8Array[]): Uint8Array {
  return box(type, Uint8Array.of(version, 0, 0, 0), ...payload);
}

const IDENTITY = be32(0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000);

/** An mvhd box, version 0 (32-bit times) or 1 (64-bit times). */
export function mvhd(timescale: number, duration: number, version: 0 | 1 = 0): Uint8Array {
  const times = version === 1
    ? concat(be32(0, 0, 0, 0, timescale), be32(Math.floor(duration / 2 ** 32), duration >>> 0))
    : be32(0, 0, timescale, duration);
  const rest = concat(be32(0x10000), be16(0x100), new Uint8Array(10), IDENTITY);
  return fullBox("mvhd", version, times, rest, new Uint8Array(24), be32(2));
}

/** A tkhd box (version 0) with the given size and matrix. */
export function tkhd(width: number, height: number, matrix = IDENTITY): Uint8Array {
  return fullBox(
    "tkhd",
    0,
    be32(0, 0, 1, 0, 0),
    new Uint8Array(8),
    be16(0, 0, 0, 0),
    matrix,
    be32(width * 65536, height * 65536),
  );
}

/** A faststart MP4: ftyp isom, moov (mvhd, an audio trak, a video trak), mdat. */
export function makeMp4(
  opts: { version?: 0 | 1; duration?: number; brand?: string } = {},
): Uint8Array {
  return concat(
    box("ftyp", text(opts.brand ?? "isom"), be32(0x200), text("isomiso2avc1mp41")),
    box(
      "moov",
      mvhd(1000, opts.duration ?? 5000, opts.version ?? 0),
      box("trak", tkhd(0, 0)),
      box("trak", tkhd(1280, 720)),
    ),
    box("mdat", new Uint8Array(64)),
  );
}
