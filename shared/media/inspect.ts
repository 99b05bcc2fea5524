/**
 * One call to identify stored media: sniffed type, byte size, pixel size and, for MP4 and
 * QuickTime, duration. Header fields from providers are never consulted.
 */
import { imageSize } from "./image_size.ts";
import { mp4Info } from "./mp4_info.ts";
import type { MediaKind } from "../vocabulary.ts";
import { type MediaMime, sniffMedia } from "./sniff.ts";

/** What we know about a media file from its bytes alone. */
export interface MediaInfo {
  mime: MediaMime;
  kind: MediaKind;
  /** File extension without the dot, e.g. `"mp4"`. */
  ext: string;
  /** Byte length of the file. */
  size: number;
  /** Pixel size; always set for images, set for MP4/QuickTime with a visual track. */
  width?: number;
  height?: number;
  /** Set for MP4/QuickTime (0 when the header leaves it unrecorded); not read from WebM. */
  durationSeconds?: number;
}

/**
 * Identifies a whole media file. Returns null when the bytes are not a supported type, or when
 * they start like one but the header is unusable: an image whose size cannot be read, or an
 * MP4/QuickTime without a readable `moov` box (so pass the complete file, not a prefix).
 */
export function inspectMedia(bytes: Uint8Array): MediaInfo | null {
  const sniffed = sniffMedia(bytes);
  if (!sniffed) return null;
  const base: MediaInfo = { ...sniffed, size: bytes.length };
  switch (sniffed.mime) {
    case "image/png":
    case "image/jpeg":
    case "image/webp":
    case "image/gif": {
      const dims = imageSize(bytes, sniffed.mime);
      return dims && { ...base, ...dims };
    }
    case "video/mp4":
    case "video/quicktime": {
      const info = mp4Info(bytes);
      return info && { ...base, ...info };
    }
    case "video/webm":
      return base;
  }
}
