import { assertEquals } from "../../tests/support/assert.ts";
import type { NegativePromptRow } from "../db/tables/prompt_templates.ts";
import { assembleNegativePrompt } from "./negative_prompt.ts";

const rows: NegativePromptRow[] = [
  {
    model_type: "sdxl",
    content_mode: "sfw",
    generation_mode: "txt2img",
    negative_prompt: "lowres, blurry",
    priority: 1,
  },
  {
    model_type: "sdxl",
    content_mode: "sfw",
    generation_mode: "txt2img",
    negative_prompt: "nsfw, nude",
    priority: 5,
  },
  {
    model_type: "sdxl",
    content_mode: "nsfw",
    generation_mode: "txt2img",
    negative_prompt: "child",
    priority: 9,
  },
  {
    model_type: "sdxl",
    content_mode: "sfw",
    generation_mode: "i2i",
    negative_prompt: "different person",
    priority: 1,
  },
  {
    model_type: "flux",
    content_mode: "sfw",
    generation_mode: "txt2img",
    negative_prompt: "flux only",
    priority: 1,
  },
];

Deno.test("negative prompts: family, content mode and generation mode, by priority, then the user's", () => {
  const q = {
    modelFamily: "sdxl",
    contentMode: "sfw" as const,
    generationMode: "txt2img" as const,
  };
  assertEquals(assembleNegativePrompt(rows, q), "nsfw, nude, lowres, blurry");
  assertEquals(
    assembleNegativePrompt(rows, { ...q, user: "text, Blurry , watermark" }),
    "nsfw, nude, lowres, blurry, text, watermark",
    "the user's own last, repeated phrases once",
  );
  assertEquals(assembleNegativePrompt(rows, { ...q, contentMode: "nsfw" }), "child");
  assertEquals(assembleNegativePrompt(rows, { ...q, generationMode: "i2i" }), "different person");
  assertEquals(assembleNegativePrompt(rows, { ...q, modelFamily: "kling" }), undefined);
  assertEquals(assembleNegativePrompt(rows, { ...q, modelFamily: null, user: "x" }), "x");
});
