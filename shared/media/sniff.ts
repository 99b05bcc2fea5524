/**
 * Media type detection from magic bytes. Provider outputs are untrusted, so the stored MIME type
 * comes from here, never from a Content-Type header or a file name.
 */
import { MEDIA_KIND, type MediaKind } from "../vocabulary.ts";
import { ascii, u32be } from "./bytes.ts";

/** The media types we accept from providers. */
export type MediaMime =
  | "image/png"
  | "image/jpeg"
  | "image/webp"
  | "image/gif"
  | "video/mp4"
  | "video/webm"
  | "video/quicktime";

/** The image subset of {@link MediaMime}. */
export type ImageMime = Extract<MediaMime, `image/${string}`>;

/** What the leading bytes say a file is. */
export interface SniffedMedia {
  mime: MediaMime;
  kind: MediaKind;
  /** File extension without the dot, e.g. `"jpg"`. */
  ext: string;
}

/** How many leading bytes {@link sniffMedia} looks at; passing more is harmless. */
export const SNIFF_BYTES = 64;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const EBML_MAGIC = [0x1a, 0x45, 0xdf, 0xa3];
const MP4_BRANDS = new Set([
  "isom",
  "iso2",
  "iso3",
  "iso4",
  "iso5",
  "iso6",
  "mp41",
  "mp42",
  "avc1",
  "dash",
  "M4V ",
]);

/**
 * Identifies a supported image or video from its first bytes (at least {@link SNIFF_BYTES} when
 * available). Returns null for anything else, including HTML, SVG, text and executables.
 */
export function sniffMedia(head: Uint8Array): SniffedMedia | null {
  if (startsWith(head, PNG_SIGNATURE)) {
    return { mime: "image/png", kind: MEDIA_KIND.image, ext: "png" };
  }
  if (startsWith(head, [0xff, 0xd8, 0xff])) {
    return { mime: "image/jpeg", kind: MEDIA_KIND.image, ext: "jpg" };
  }
  if (ascii(head, 0, 4) === "RIFF" && ascii(head, 8, 4) === "WEBP") {
    return { mime: "image/webp", kind: MEDIA_KIND.image, ext: "webp" };
  }
  const gif = ascii(head, 0, 6);
  if (gif === "GIF87a" || gif === "GIF89a") {
    return { mime: "image/gif", kind: MEDIA_KIND.image, ext: "gif" };
  }
  if (head.length >= 12 && ascii(head, 4, 4) === "ftyp") {
    const size = u32be(head, 0) ?? 0;
    // size 0 ("to end of file") and 1 (64-bit size) are legal box sizes; anything else must at
    // least hold the major brand.
    if (size !== 0 && size !== 1 && size < 12) return null;
    const brand = ascii(head, 8, 4);
    if (brand === "qt  ") return { mime: "video/quicktime", kind: MEDIA_KIND.video, ext: "mov" };
    // Only the major brand counts: HEIF/AVIF stills also use ftyp and may list ISO brands as
    // compatible ones.
    if (MP4_BRANDS.has(brand)) return { mime: "video/mp4", kind: MEDIA_KIND.video, ext: "mp4" };
    return null;
  }
  if (startsWith(head, EBML_MAGIC) && ebmlDocType(head) !== "other") {
    return { mime: "video/webm", kind: MEDIA_KIND.video, ext: "webm" };
  }
  return null;
}

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

/**
 * The EBML header's DocType: "webm", "other" (e.g. plain Matroska, which browsers may not play
 * as video/webm) or "unknown" when the head is too short or odd to tell.
 */
function ebmlDocType(head: Uint8Array): "webm" | "other" | "unknown" {
  // The DocType element (ID 0x4282) sits in the first few dozen bytes of the EBML header.
  const limit = Math.min(head.length, SNIFF_BYTES) - 3;
  for (let i = 4; i < limit; i++) {
    if (head[i] !== 0x42 || head[i + 1] !== 0x82) continue;
    const sizeByte = head[i + 2];
    // Only one-byte sizes (0x80 marker bit): DocType strings are short.
    if ((sizeByte & 0x80) === 0) return "unknown";
    const length = sizeByte & 0x7f;
    const text = ascii(head, i + 3, length);
    if (text === "") return "unknown";
    return text.replace(/\0+$/, "") === "webm" ? "webm" : "other";
  }
  return "unknown";
}
