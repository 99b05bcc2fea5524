/**
 * Duration and frame size from an ISO BMFF (MP4 / QuickTime) header. Only the boxes on the path
 * moov → mvhd / mvex → mehd / trak → tkhd are entered; media data is skipped by size, never
 * read, and a box budget bounds the work on crafted input.
 */
import { ascii, u32be, u64be } from "./bytes.ts";

/** What the movie header says about a video. */
export interface Mp4Info {
  /** Movie duration in seconds; 0 when the header does not record it (e.g. fragmented files). */
  durationSeconds: number;
  /** Display size of the first visual track, after a 90°/270° rotation matrix is applied. */
  width?: number;
  height?: number;
}

/** A box's payload range within the buffer. */
interface Box {
  type: string;
  start: number;
  end: number;
}

/** Upper bound on boxes looked at across the whole walk. */
const MAX_BOXES = 10_000;

/**
 * Reads the movie header of a complete MP4/QuickTime file. Pass the whole file: when `moov`
 * follows `mdat` (no "faststart"), a prefix ends inside `mdat` and yields null. Returns null
 * when there is no `moov`/`mvhd`, or a box is malformed (size below its header, or past the end
 * of its parent) before `moov` is found.
 */
export function mp4Info(bytes: Uint8Array): Mp4Info | null {
  const budget = { boxes: MAX_BOXES };
  const moov = findBox(bytes, 0, bytes.length, "moov", budget);
  if (!moov) return null;
  const mvhd = findBox(bytes, moov.start, moov.end, "mvhd", budget);
  // mvhd: version/flags(4), then v0: creation(4) modification(4) timescale(4) duration(4);
  // v1: creation(8) modification(8) timescale(4) duration(8).
  const timescale = mvhd && u32be(bytes, mvhd.start + (bytes[mvhd.start] === 1 ? 20 : 12));
  if (!mvhd || !timescale) return null;
  let units = versionedUint(bytes, mvhd, 16, 24);
  if (units === null) return null;
  if (units === 0) {
    // Fragmented files leave mvhd empty; mehd (in the same timescale) may hold the total.
    const mvex = findBox(bytes, moov.start, moov.end, "mvex", budget);
    const mehd = mvex && findBox(bytes, mvex.start, mvex.end, "mehd", budget);
    units = (mehd && versionedUint(bytes, mehd, 4, 4)) ?? 0;
  }
  const info: Mp4Info = { durationSeconds: units / timescale };
  for (const trak of boxes(bytes, moov.start, moov.end, budget)) {
    if (trak?.type !== "trak") continue;
    const tkhd = findBox(bytes, trak.start, trak.end, "tkhd", budget);
    const dims = tkhd && trackSize(bytes, tkhd);
    if (dims) return { ...info, ...dims };
  }
  return info;
}

/**
 * A full box's 32-bit (version 0, at payload offset `at0`) or 64-bit (version 1, at `at1`)
 * field; null when it lies past the box. All-ones means "unknown" and reads as 0.
 */
function versionedUint(bytes: Uint8Array, box: Box, at0: number, at1: number): number | null {
  const wide = bytes[box.start] === 1;
  const at = box.start + (wide ? at1 : at0);
  if (at + (wide ? 8 : 4) > box.end) return null;
  if (bytes.subarray(at, at + (wide ? 8 : 4)).every((b) => b === 0xff)) return 0;
  return wide ? u64be(bytes, at) : u32be(bytes, at);
}

/** Track display size from tkhd, or null for tracks without one (audio) or short boxes. */
function trackSize(bytes: Uint8Array, tkhd: Box): { width: number; height: number } | null {
  const minLength = bytes[tkhd.start] === 1 ? 96 : 84;
  if (tkhd.end - tkhd.start < minLength) return null;
  // Width and height are 16.16 fixed point in the last 8 bytes, after the 3x3 matrix.
  let width = Math.round((u32be(bytes, tkhd.end - 8) ?? 0) / 65536);
  let height = Math.round((u32be(bytes, tkhd.end - 4) ?? 0) / 65536);
  if (!width || !height) return null;
  const a = u32be(bytes, tkhd.end - 44);
  const d = u32be(bytes, tkhd.end - 28);
  // A matrix with a zero diagonal rotates by 90° or 270°: the viewer sees the size transposed.
  if (a === 0 && d === 0) [width, height] = [height, width];
  return { width, height };
}

function findBox(
  bytes: Uint8Array,
  start: number,
  end: number,
  type: string,
  budget: { boxes: number },
): Box | null {
  for (const box of boxes(bytes, start, end, budget)) {
    if (box === null) return null;
    if (box.type === type) return box;
  }
  return null;
}

/**
 * The boxes between `start` and `end`, in order. Yields null and stops on a malformed box or
 * when the budget runs out, so callers can tell "absent" from "corrupt".
 */
function* boxes(
  bytes: Uint8Array,
  start: number,
  end: number,
  budget: { boxes: number },
): Generator<Box | null> {
  let pos = start;
  while (pos + 8 <= end) {
    if (--budget.boxes < 0) {
      yield null;
      return;
    }
    const size32 = u32be(bytes, pos) as number;
    const type = ascii(bytes, pos + 4, 4);
    let header = 8;
    let size = size32;
    if (size32 === 1) {
      const large = u64be(bytes, pos + 8);
      if (large === null) {
        yield null;
        return;
      }
      header = 16;
      size = large;
    } else if (size32 === 0) {
      size = end - pos;
    }
    if (size < header || pos + size > end) {
      yield null;
      return;
    }
    yield { type, start: pos + header, end: pos + size };
    pos += size;
  }
}
