import { assertEquals } from "../../tests/support/assert.ts";
import { mp4Info } from "./mp4_info.ts";
import { be32, concat, text } from "../../simulators/media/bytes.ts";
import { box, fullBox, mp4Bytes, mvhd, tkhd } from "../../simulators/media/mp4.ts";

Deno.test("mp4Info reads duration and the first sized track", () => {
  assertEquals(mp4Info(mp4Bytes({ audioTrack: true })), {
    durationSeconds: 5,
    width: 1280,
    height: 720,
  });
  const long = mp4Bytes({
    mvhdVersion: 1,
    durationSeconds: (2 ** 33 + 500) / 1000,
    audioTrack: true,
  });
  assertEquals(mp4Info(long), {
    durationSeconds: (2 ** 33 + 500) / 1000,
    width: 1280,
    height: 720,
  });
});

Deno.test("mp4Info finds moov after mdat, through largesize and size-0 boxes", () => {
  const moov = box("moov", mvhd(600, 1500), box("trak", tkhd(720, 1280)));
  const ftyp = box("ftyp", text("mp42"), be32(0));
  // mdat with a 64-bit largesize (size field 1).
  const largeMdat = concat(be32(1), text("mdat"), be32(0, 16 + 32), new Uint8Array(32));
  assertEquals(mp4Info(concat(ftyp, largeMdat, moov)), {
    durationSeconds: 2.5,
    width: 720,
    height: 1280,
  });
  // A trailing box with size 0 runs to the end of the file.
  const open = concat(be32(0), text("mdat"), new Uint8Array(100));
  assertEquals(mp4Info(concat(ftyp, moov, open))?.durationSeconds, 2.5);
  assertEquals(
    mp4Info(concat(ftyp, concat(be32(0), text("moov"), mvhd(10, 30))))?.durationSeconds,
    3,
  );
});

Deno.test("mp4Info applies a 90° rotation and skips audio-only tracks", () => {
  const rotate90 = be32(0, 0x10000, 0, 0xffff0000, 0, 0, 0, 0, 0x40000000);
  const moov = box("moov", mvhd(1000, 1000), box("trak", tkhd(1920, 1080, rotate90)));
  assertEquals(mp4Info(moov), { durationSeconds: 1, width: 1080, height: 1920 });
  const audioOnly = box("moov", mvhd(48000, 96000), box("trak", tkhd(0, 0)));
  assertEquals(mp4Info(audioOnly), { durationSeconds: 2 });
});

Deno.test("mp4Info falls back to mehd for fragmented files", () => {
  const moov = box(
    "moov",
    mvhd(1000, 0),
    box("trak", tkhd(640, 360)),
    box("mvex", fullBox("mehd", 0, be32(7500))),
  );
  assertEquals(mp4Info(moov), { durationSeconds: 7.5, width: 640, height: 360 });
  assertEquals(mp4Info(box("moov", mvhd(1000, 0xffffffff)))?.durationSeconds, 0);
});

Deno.test("mp4Info returns null for malformed or partial input without throwing", () => {
  const mp4 = mp4Bytes({ audioTrack: true });
  const ftyp = box("ftyp", text("isom"), be32(0));
  const moov = box("moov", mvhd(1000, 5000));
  const cases: Record<string, Uint8Array> = {
    empty: new Uint8Array(),
    garbage: Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) & 0xff),
    html: text("<html><body>not a video</body></html>"),
    noMoov: concat(ftyp, box("mdat", new Uint8Array(16))),
    truncatedInMoov: mp4.subarray(0, 60),
    sizeBelowHeader: concat(ftyp, be32(4), text("free"), moov),
    sizePastBuffer: concat(ftyp, be32(1 << 30), text("mdat"), new Uint8Array(16), moov),
    largesizePastBuffer: concat(ftyp, be32(1), text("mdat"), be32(0xffffffff, 0xffffffff), moov),
    largesizeBelowHeader: concat(ftyp, be32(1), text("mdat"), be32(0, 12), moov),
    childPastParent: box("moov", be32(500), text("mvhd"), new Uint8Array(8)),
    shortMvhd: box("moov", fullBox("mvhd", 0, be32(0, 0))),
    zeroTimescale: box("moov", mvhd(0, 5000)),
    noMvhd: box("moov", box("trak", tkhd(10, 10))),
  };
  for (const [name, bytes] of Object.entries(cases)) assertEquals(mp4Info(bytes), null, name);
  // A short tkhd only loses the frame size.
  const shortTkhd = box("moov", mvhd(1000, 5000), box("trak", fullBox("tkhd", 0, be32(1))));
  assertEquals(mp4Info(shortTkhd), { durationSeconds: 5 });
});

Deno.test("mp4Info terminates quickly on deeply nested and box-flooded input", () => {
  // 20,000 alternating moov/trak headers, each spanning the rest of the buffer.
  const depth = 20_000;
  const nested = new Uint8Array(depth * 8);
  const view = new DataView(nested.buffer);
  for (let i = 0; i < depth; i++) {
    view.setUint32(i * 8, nested.length - i * 8);
    nested.set(text(i % 2 ? "trak" : "moov"), i * 8 + 4);
  }
  // A moov of 200,000 empty boxes before its mvhd: over the box budget.
  const flood = new Uint8Array(8 + 200_000 * 8);
  new DataView(flood.buffer).setUint32(0, flood.length);
  flood.set(text("moov"), 4);
  const free = concat(be32(8), text("free"));
  for (let i = 8; i < flood.length; i += 8) flood.set(free, i);
  const started = performance.now();
  assertEquals(mp4Info(nested), null);
  assertEquals(mp4Info(flood), null);
  assertEquals(performance.now() - started < 200, true);
});
