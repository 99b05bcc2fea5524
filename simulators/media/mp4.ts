/**
 * ISO BMFF boxes and a small faststart MP4 (ftyp, moov, mdat) that box parsers read for duration
 * and frame size: what the simulators serve as video outputs, and what the `shared/media` tests
 * parse (the box builders also make the malformed variants). No decodable picture.
 */
import { be16, be32, concat, text } from "./bytes.ts";

/** An ISO BMFF box. */
export function box(type: string, ...payload: Uint8Array[]): Uint8Array {
  const body = concat(...payload);
  return concat(be32(8 + body.length), text(type), body);
}

/** An ISO BMFF full box (version and zero flags before the payload). */
export function fullBox(type: string, version: number, ...payload: Uint8Array[]): Uint8Array {
  return flaggedBox(type, version, 0, ...payload);
}

/** An ISO BMFF full box with flags (a track's enabled/in-movie bits, a self-contained `url `). */
export function flaggedBox(
  type: string,
  version: number,
  flags: number,
  ...payload: Uint8Array[]
): Uint8Array {
  return box(type, be32(((version & 0xff) << 24 | (flags & 0xffffff)) >>> 0), ...payload);
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

/** Options for {@link tkhd}. */
export interface TkhdOptions {
  /** @default 0 */
  flags?: number;
  /** @default 1 */
  trackId?: number;
  /** In the movie's timescale. @default 0 */
  duration?: number;
}

/** A tkhd box (version 0) with the given size and matrix. */
export function tkhd(
  width: number,
  height: number,
  matrix = IDENTITY,
  opts: TkhdOptions = {},
): Uint8Array {
  return flaggedBox(
    "tkhd",
    0,
    opts.flags ?? 0,
    be32(0, 0, opts.trackId ?? 1, 0, opts.duration ?? 0),
    new Uint8Array(8),
    be16(0, 0, 0, 0),
    matrix,
    be32(Math.round(width * 65536), Math.round(height * 65536)),
  );
}

/** Options for {@link mp4Bytes}. */
export interface Mp4Options {
  /** Frame size of the video track. @default 1280 */
  width?: number;
  /** @default 720 */
  height?: number;
  /** Seconds (fractions allowed). @default 5 */
  durationSeconds?: number;
  /** @default 1000 */
  timescale?: number;
  /** mvhd version: 0 (32-bit times) or 1 (64-bit, for durations past 2^32 units). @default 0 */
  mvhdVersion?: 0 | 1;
  /** The ftyp major brand (`"qt  "` makes a QuickTime file). @default "isom" */
  brand?: string;
  /** An audio track (no frame size) before the video track. @default false */
  audioTrack?: boolean;
  /** Size of the mdat payload. @default 1024 */
  payloadBytes?: number;
}

/**
 * A faststart MP4: ftyp, moov (mvhd, optionally an audio trak, then one video trak with tkhd and
 * mdia: mdhd, hdlr `vide`, minf with vmhd, dinf and an empty stbl), mdat.
 */
export function mp4Bytes(opts: Mp4Options = {}): Uint8Array {
  const timescale = opts.timescale ?? 1000;
  const duration = Math.round((opts.durationSeconds ?? 5) * timescale);
  // Track headers keep 32-bit times; a longer duration is written as "unknown" (all ones).
  const times = { timescale, duration: Math.min(duration, 0xffffffff) };
  const video = {
    id: opts.audioTrack ? 2 : 1,
    width: opts.width ?? 1280,
    height: opts.height ?? 720,
    handler: "vide",
    header: flaggedBox("vmhd", 0, 1, new Uint8Array(8)),
  };
  const audio = {
    id: 1,
    width: 0,
    height: 0,
    handler: "soun",
    header: fullBox("smhd", 0, be16(0, 0)),
  };
  const payload = new Uint8Array(opts.payloadBytes ?? 1024).map((_, i) => i % 251);
  return concat(
    box("ftyp", text(opts.brand ?? "isom"), be32(0x200), text("isomiso2avc1mp41")),
    box(
      "moov",
      mvhd(timescale, duration, opts.mvhdVersion ?? 0),
      ...(opts.audioTrack ? [audio, video] : [video]).map((track) => trak(track, times)),
    ),
    box("mdat", payload),
  );
}

/** A track with no samples: tkhd, then mdia (mdhd, hdlr, minf with its media header). */
function trak(
  track: { id: number; width: number; height: number; handler: string; header: Uint8Array },
  times: { timescale: number; duration: number },
): Uint8Array {
  return box(
    "trak",
    // Flags 3: enabled, in movie.
    tkhd(track.width, track.height, IDENTITY, {
      flags: 3,
      trackId: track.id,
      duration: times.duration,
    }),
    box(
      "mdia",
      fullBox("mdhd", 0, be32(0, 0, times.timescale, times.duration), be16(0x55c4, 0)), // "und"
      fullBox("hdlr", 0, be32(0), text(track.handler), new Uint8Array(12), text("Sim\0")),
      box(
        "minf",
        track.header,
        box("dinf", fullBox("dref", 0, be32(1), flaggedBox("url ", 0, 1))),
        box(
          "stbl",
          fullBox("stsd", 0, be32(0)),
          fullBox("stts", 0, be32(0)),
          fullBox("stsc", 0, be32(0)),
          fullBox("stsz", 0, be32(0, 0)),
          fullBox("stco", 0, be32(0)),
        ),
      ),
    ),
  );
}
