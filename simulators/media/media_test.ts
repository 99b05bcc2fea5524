import { assertEquals, assertOk } from "../../tests/support/assert.ts";
import { pngBytes } from "./images.ts";
import { mp4Bytes } from "./mp4.ts";

/** Walks MP4 boxes: type → payload (after the 8-byte header), depth-first. */
function boxes(
  data: Uint8Array,
  start = 0,
  end = data.length,
  out = new Map<string, Uint8Array>(),
) {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const containers = new Set(["moov", "trak", "mdia", "minf", "dinf", "stbl"]);
  let at = start;
  while (at + 8 <= end) {
    const size = view.getUint32(at);
    const type = new TextDecoder().decode(data.subarray(at + 4, at + 8));
    assertOk(size >= 8 && at + size <= end, `box ${type} size ${size} fits its parent`);
    if (!out.has(type)) out.set(type, data.subarray(at + 8, at + size));
    if (containers.has(type)) boxes(data, at + 8, at + size, out);
    at += size;
  }
  assertEquals(at, end, "boxes tile their parent exactly");
  return out;
}

Deno.test("pngBytes: PNG signature, IHDR with the requested size, valid zlib IDAT, CRCs", async () => {
  const png = await pngBytes(1024, 768);
  assertEquals([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(png.buffer, png.byteOffset);
  assertEquals(new TextDecoder().decode(png.subarray(12, 16)), "IHDR");
  assertEquals(view.getUint32(16), 1024);
  assertEquals(view.getUint32(20), 768);
  assertOk(png.length < 20_000, `small: ${png.length} bytes`);
  // Decompress IDAT independently and check the raw size.
  const idatLen = view.getUint32(33);
  assertEquals(new TextDecoder().decode(png.subarray(37, 41)), "IDAT");
  const idat = png.subarray(41, 41 + idatLen);
  const raw = new Uint8Array(
    await new Response(new Blob([idat]).stream().pipeThrough(new DecompressionStream("deflate")))
      .arrayBuffer(),
  );
  assertEquals(raw.length, 768 * (1024 * 3 + 1));
  assertEquals(new TextDecoder().decode(png.subarray(png.length - 8, png.length - 4)), "IEND");
});

Deno.test("mp4Bytes: ftyp + moov parse to the requested duration and dimensions", () => {
  const mp4 = mp4Bytes({ width: 1280, height: 720, durationSeconds: 6.5 });
  const found = boxes(mp4);
  for (const t of ["ftyp", "moov", "mvhd", "trak", "tkhd", "mdia", "mdhd", "hdlr", "minf"]) {
    assertOk(found.has(t), `has ${t}`);
  }
  for (const t of ["vmhd", "dinf", "dref", "stbl", "stsd", "stts", "stsz", "stco", "mdat"]) {
    assertOk(found.has(t), `has ${t}`);
  }
  const mvhd = new DataView(found.get("mvhd")!.slice().buffer);
  const timescale = mvhd.getUint32(12);
  const duration = mvhd.getUint32(16);
  assertEquals(duration / timescale, 6.5);
  const tkhd = found.get("tkhd")!;
  const tk = new DataView(tkhd.slice().buffer);
  assertEquals(tk.getUint32(tkhd.length - 8) / 65536, 1280);
  assertEquals(tk.getUint32(tkhd.length - 4) / 65536, 720);
  assertEquals(new TextDecoder().decode(found.get("hdlr")!.subarray(8, 12)), "vide");
  const mdhd = new DataView(found.get("mdhd")!.slice().buffer);
  assertEquals(mdhd.getUint32(16) / mdhd.getUint32(12), 6.5);
});

Deno.test("mp4Bytes: audioTrack puts an unsized soun trak before the video trak; brand and mvhd v1", () => {
  const mp4 = mp4Bytes({ audioTrack: true, brand: "qt  ", mvhdVersion: 1, durationSeconds: 2 });
  const moov = boxes(mp4).get("moov")!;
  const view = new DataView(moov.buffer, moov.byteOffset, moov.byteLength);
  const mvhdSize = view.getUint32(0);
  assertEquals(moov[8], 1, "mvhd version 1");
  const traks = [];
  for (let at = mvhdSize; at < moov.length; at += view.getUint32(at)) {
    assertEquals(new TextDecoder().decode(moov.subarray(at + 4, at + 8)), "trak");
    const found = boxes(moov, at + 8, at + view.getUint32(at));
    const tkhd = found.get("tkhd")!;
    const tk = new DataView(tkhd.slice().buffer);
    traks.push([
      new TextDecoder().decode(found.get("hdlr")!.subarray(8, 12)),
      tk.getUint32(tkhd.length - 8) / 65536,
      tk.getUint32(tkhd.length - 4) / 65536,
    ]);
  }
  assertEquals(traks, [["soun", 0, 0], ["vide", 1280, 720]]);
  assertEquals(new TextDecoder().decode(mp4.subarray(8, 12)), "qt  ");
});
