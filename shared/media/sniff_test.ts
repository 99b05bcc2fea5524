import { assertEquals } from "../../tests/support/assert.ts";
import { sniffMedia } from "./sniff.ts";
import { be32, concat, text } from "../../simulators/media/bytes.ts";
import { gifBytes, jpegBytes, pngBytes, webpVp8xBytes } from "../../simulators/media/images.ts";
import { box, mp4Bytes } from "../../simulators/media/mp4.ts";

const ebml = (docType: string) =>
  concat(
    Uint8Array.of(0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82),
    Uint8Array.of(0x80 | docType.length),
    text(docType),
  );

Deno.test("sniffMedia identifies each supported image type", async () => {
  assertEquals(sniffMedia(await pngBytes(37, 21)), {
    mime: "image/png",
    kind: "image",
    ext: "png",
  });
  assertEquals(sniffMedia(jpegBytes(640, 480)), { mime: "image/jpeg", kind: "image", ext: "jpg" });
  assertEquals(sniffMedia(webpVp8xBytes(10, 10)), {
    mime: "image/webp",
    kind: "image",
    ext: "webp",
  });
  assertEquals(sniffMedia(gifBytes(12, 7)), { mime: "image/gif", kind: "image", ext: "gif" });
  assertEquals(sniffMedia(text("GIF87a\x01\x00\x01\x00")), {
    mime: "image/gif",
    kind: "image",
    ext: "gif",
  });
});

Deno.test("sniffMedia identifies MP4 by major brand, QuickTime and WebM", () => {
  for (const brand of ["isom", "iso2", "mp41", "mp42", "avc1", "dash", "M4V "]) {
    assertEquals(sniffMedia(mp4Bytes({ brand }))?.mime, "video/mp4", brand);
  }
  assertEquals(sniffMedia(mp4Bytes({ brand: "qt  " })), {
    mime: "video/quicktime",
    kind: "video",
    ext: "mov",
  });
  assertEquals(sniffMedia(ebml("webm")), { mime: "video/webm", kind: "video", ext: "webm" });
  // Too short to see the DocType: the EBML magic alone is accepted.
  assertEquals(sniffMedia(Uint8Array.of(0x1a, 0x45, 0xdf, 0xa3))?.mime, "video/webm");
});

Deno.test("sniffMedia rejects look-alikes and non-media", () => {
  const rejected: Record<string, Uint8Array> = {
    empty: new Uint8Array(),
    html: text("<!DOCTYPE html><html><body>nope</body></html>"),
    svg: text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'),
    xmlSvg: text('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'),
    json: text('{"error":"rate limited"}'),
    elf: Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0),
    exe: text("MZ\x90\x00\x03\x00\x00\x00"),
    pdf: text("%PDF-1.7\n"),
    zip: Uint8Array.of(0x50, 0x4b, 0x03, 0x04),
    truncatedPng: Uint8Array.of(0x89, 0x50, 0x4e, 0x47),
    truncatedJpeg: Uint8Array.of(0xff, 0xd8),
    riffWave: concat(text("RIFF"), be32(0), text("WAVEfmt ")),
    gif88: text("GIF88a\x01\x00\x01\x00"),
    avif: box("ftyp", text("avif"), be32(0), text("mif1miafisom")),
    heic: box("ftyp", text("heic"), be32(0), text("mif1heic")),
    tinyFtyp: concat(be32(9), text("ftypisom")),
    matroska: ebml("matroska"),
  };
  for (const [name, bytes] of Object.entries(rejected)) {
    assertEquals(sniffMedia(bytes), null, name);
  }
});
