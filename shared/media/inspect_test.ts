import { MEDIA_KIND } from "../vocabulary.ts";
import { assertEquals } from "../../tests/support/assert.ts";
import { inspectMedia } from "./inspect.ts";
import { be32, text } from "../../simulators/media/bytes.ts";
import { gifBytes, jpegBytes, pngBytes, webpVp8xBytes } from "../../simulators/media/images.ts";
import { box, mp4Bytes } from "../../simulators/media/mp4.ts";

Deno.test("inspectMedia combines type, size and dimensions for images", async () => {
  const png = await pngBytes(37, 21);
  assertEquals(inspectMedia(png), {
    mime: "image/png",
    kind: MEDIA_KIND.image,
    ext: "png",
    size: png.length,
    width: 37,
    height: 21,
  });
  const jpeg = jpegBytes(640, 480);
  assertEquals(inspectMedia(jpeg), {
    mime: "image/jpeg",
    kind: MEDIA_KIND.image,
    ext: "jpg",
    size: jpeg.length,
    width: 640,
    height: 480,
  });
  assertEquals(inspectMedia(webpVp8xBytes(1000, 600))?.width, 1000);
  assertEquals(inspectMedia(gifBytes(12, 7))?.height, 7);
});

Deno.test("inspectMedia adds duration and frame size for MP4", () => {
  const mp4 = mp4Bytes();
  assertEquals(inspectMedia(mp4), {
    mime: "video/mp4",
    kind: MEDIA_KIND.video,
    ext: "mp4",
    size: mp4.length,
    durationSeconds: 5,
    width: 1280,
    height: 720,
  });
  assertEquals(inspectMedia(mp4Bytes({ brand: "qt  " }))?.mime, "video/quicktime");
  const webm = Uint8Array.of(
    0x1a,
    0x45,
    0xdf,
    0xa3,
    0x84,
    0x42,
    0x82,
    0x84,
    0x77,
    0x65,
    0x62,
    0x6d,
  );
  assertEquals(inspectMedia(webm), {
    mime: "video/webm",
    kind: MEDIA_KIND.video,
    ext: "webm",
    size: 12,
  });
});

Deno.test("inspectMedia returns null for non-media and unusable headers", async () => {
  const cases: Record<string, Uint8Array> = {
    html: text("<!doctype html><title>403</title>"),
    svg: text("<svg xmlns='http://www.w3.org/2000/svg'/>"),
    text: text("hello"),
    pngHeaderOnly: (await pngBytes(4, 4)).subarray(0, 12),
    jpegWithoutFrame: Uint8Array.of(0xff, 0xd8, 0xff, 0xd9),
    ftypOnly: box("ftyp", text("isom"), be32(0)),
    mp4CutInsideMoov: mp4Bytes().subarray(0, 100),
  };
  for (const [name, bytes] of Object.entries(cases)) assertEquals(inspectMedia(bytes), null, name);
});
