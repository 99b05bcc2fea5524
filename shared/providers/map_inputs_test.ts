import { assertEquals } from "../../tests/support/assert.ts";
import { imageCapabilities, videoCapabilities } from "../../simulators/model_capabilities.ts";
import { mediaCapabilitiesSchema, priceCredits, pricingSchema } from "./capabilities.ts";
import { type GenerationRequest, mapInputs } from "./map_inputs.ts";

const caps = (raw: Record<string, unknown>) => mediaCapabilitiesSchema.parse(raw);
const base: GenerationRequest = {
  prompt: "a cat",
  quality: "fast",
  contentMode: "sfw",
  numOutputs: 1,
};

Deno.test("mapInputs layers defaults, quality preset and request, clamps, and drops unknown keys", () => {
  const mapped = mapInputs(
    caps(imageCapabilities()),
    { scheduler: "K_EULER", guidance_scale: 7, num_inference_steps: 5 },
    {
      ...base,
      quality: "high",
      numOutputs: 9,
      aspectRatio: "16:9",
      guidance: 99,
      negativePrompt: "blurry",
      seed: 42,
      steps: undefined,
    },
    () => 7,
  );
  assertEquals(mapped.input, {
    prompt: "a cat",
    guidance_scale: 20,
    num_inference_steps: 40,
    num_outputs: 4,
    negative_prompt: "blurry",
    width: 1344,
    height: 768,
    seed: 42,
    disable_safety_checker: false,
  });
  assertEquals(mapped.numOutputs, 4, "bounded by max_outputs");
  assertEquals(mapped.seed, 42);
});

Deno.test("mapInputs chooses the seed on the server and only for models that take one", () => {
  assertEquals(mapInputs(caps(imageCapabilities()), {}, base, () => 123).seed, 123);
  const noSeed = mapInputs(caps(imageCapabilities({ supports_seed: false })), {}, {
    ...base,
    seed: 5,
  }, () => 123);
  assertEquals(noSeed.seed, null);
  assertEquals("seed" in noSeed.input, false);
});

Deno.test("mapInputs never disables the safety checker for SFW content", () => {
  assertEquals(
    mapInputs(caps(imageCapabilities()), { disable_safety_checker: true }, base, () => 1).input
      .disable_safety_checker,
    false,
  );
  assertEquals(
    mapInputs(caps(imageCapabilities()), {}, { ...base, contentMode: "nsfw" }, () => 1).input
      .disable_safety_checker,
    true,
  );
});

Deno.test("mapInputs maps references, explicit sizes and video durations", () => {
  const ref = mapInputs(caps(imageCapabilities()), {}, {
    ...base,
    referenceUrl: "https://x.test/a.png",
    referenceStrength: 0.8,
    width: 1000,
    height: 3000,
  }, () => 1);
  assertEquals(ref.input.image, "https://x.test/a.png");
  assertEquals(Math.round((ref.input.prompt_strength as number) * 100), 20);
  assertEquals([ref.width, ref.height], [1000, 1536], "snapped to 8 and bounded by max_height");
  const noRef = mapInputs(caps(imageCapabilities({ supports_reference: false })), {}, {
    ...base,
    referenceUrl: "https://x.test/a.png",
  }, () => 1);
  assertEquals("image" in noRef.input, false);
  const video = mapInputs(caps(videoCapabilities()), {}, {
    ...base,
    aspectRatio: "9:16",
    durationSeconds: 8,
  }, () => 1);
  assertEquals(video.input.duration, 10, "nearest allowed duration");
  assertEquals(video.input.aspect_ratio, "9:16");
  assertEquals(video.durationSeconds, 10);
  assertEquals("width" in video.input, false, "aspect-ratio models get no width");
});

Deno.test("capability and pricing schemas reject malformed rows with the field named", () => {
  const bad = mediaCapabilitiesSchema.safeParse(
    imageCapabilities({ key_map: { steps: "not_an_input" } }),
  );
  assertEquals(bad.success, false);
  assertEquals(bad.error?.issues[0].path.join("."), "key_map.steps");
  assertEquals(
    mediaCapabilitiesSchema.safeParse(imageCapabilities({ ranges: { x: { min: 2, max: 1 } } }))
      .success,
    false,
  );
  assertEquals(
    mediaCapabilitiesSchema.safeParse(
      videoCapabilities({ video: { duration_key: "d", durations: [5], default_duration: 6 } }),
    ).success,
    false,
  );
  assertEquals(pricingSchema.safeParse({ per_output: { fast: 1 } }).success, false);
  assertEquals(
    pricingSchema.safeParse({ per_output: { fast: 1, high: 2 }, per_second: { fast: 1, high: 1 } })
      .success,
    false,
  );
  assertEquals(
    priceCredits(pricingSchema.parse({ per_output: { fast: 1, high: 3 } }), {
      quality: "high",
      outputs: 4,
    }),
    12,
  );
  assertEquals(
    priceCredits(pricingSchema.parse({ per_second: { fast: 2, high: 4 } }), {
      quality: "fast",
      outputs: 1,
      durationSeconds: 5,
    }),
    10,
  );
});
