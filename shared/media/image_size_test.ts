import { assertEquals } from "../../tests/support/assert.ts";
import { imageSize } from "./image_size.ts";
import { be16, concat } from "../../simulators/media/bytes.ts";
import {
  gifBytes,
  jpegBytes,
  pngBytes,
  webpVp8Bytes,
  webpVp8lBytes,
  webpVp8xBytes,
} from "../../simulators/media/images.ts";

Deno.test("imageSize reads a real PNG's IHDR", async () => {
  const png = await pngBytes(37, 21);
  assertEquals(imageSize(png, "image/png"), { width: 37, height: 21 });
  // The fixture decodes: IDAT inflates to 21 scanlines of 1 + 37 * 3 bytes.
  const idatLength = new DataView(png.buffer).getUint32(33);
  const inflated = await new Response(
    new Blob([png.subarray(41, 41 + idatLength)]).stream().pipeThrough(
      new DecompressionStream("deflate"),
    ),
  ).arrayBuffer();
  assertEquals(inflated.byteLength, 21 * (1 + 37 * 3));
});

Deno.test("imageSize scans JPEG segments to the frame header", () => {
  assertEquals(imageSize(jpegBytes(640, 480), "image/jpeg"), { width: 640, height: 480 });
  // Progressive (SOF2) and fill bytes before a marker.
  assertEquals(imageSize(jpegBytes(33, 44, 0xc2), "image/jpeg"), { width: 33, height: 44 });
  const filled = jpegBytes(5, 6);
  const withFill = concat(filled.subarray(0, 2), Uint8Array.of(0xff, 0xff), filled.subarray(2));
  assertEquals(imageSize(withFill, "image/jpeg"), { width: 5, height: 6 });
});

Deno.test("imageSize reads WebP (VP8X, VP8L, VP8) and GIF", () => {
  assertEquals(imageSize(webpVp8xBytes(1000, 600), "image/webp"), { width: 1000, height: 600 });
  assertEquals(imageSize(webpVp8lBytes(300, 200), "image/webp"), { width: 300, height: 200 });
  assertEquals(imageSize(webpVp8Bytes(512, 288), "image/webp"), { width: 512, height: 288 });
  assertEquals(imageSize(gifBytes(12, 7), "image/gif"), { width: 12, height: 7 });
});

Deno.test("imageSize returns null for truncated or malformed headers", async () => {
  const png = await pngBytes(37, 21);
  const jpeg = jpegBytes(640, 480);
  const cases: [string, Uint8Array, Parameters<typeof imageSize>[1]][] = [
    ["png truncated", png.subarray(0, 20), "image/png"],
    ["png without IHDR", concat(png.subarray(0, 12), new Uint8Array(20)), "image/png"],
    ["jpeg truncated before SOF", jpeg.subarray(0, 30), "image/jpeg"],
    ["jpeg SOF cut short", jpeg.subarray(0, jpeg.length - 16), "image/jpeg"],
    ["jpeg segment length 0", concat(jpeg.subarray(0, 4), be16(0)), "image/jpeg"],
    ["jpeg scan before frame", Uint8Array.of(0xff, 0xd8, 0xff, 0xda, 0, 2), "image/jpeg"],
    ["jpeg garbage", Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0x12, 0x34), "image/jpeg"],
    ["jpeg zero height", jpegBytes(640, 0), "image/jpeg"],
    ["webp truncated", webpVp8xBytes(10, 10).subarray(0, 26), "image/webp"],
    ["webp vp8 without start code", webpVp8Bytes(5, 5).fill(0, 23, 26), "image/webp"],
    ["gif truncated", gifBytes(12, 7).subarray(0, 8), "image/gif"],
    ["gif zero size", gifBytes(0, 7), "image/gif"],
  ];
  for (const [name, bytes, mime] of cases) assertEquals(imageSize(bytes, mime), null, name);
});

Deno.test("imageSize terminates on a JPEG of endless tiny segments", () => {
  const segment = Uint8Array.of(0xff, 0xfe, 0x00, 0x02);
  const bytes = new Uint8Array(2 + segment.length * 200_000);
  bytes.set([0xff, 0xd8]);
  for (let i = 2; i < bytes.length; i += segment.length) bytes.set(segment, i);
  const started = performance.now();
  assertEquals(imageSize(bytes, "image/jpeg"), null);
  assertEquals(performance.now() - started < 500, true);
});
