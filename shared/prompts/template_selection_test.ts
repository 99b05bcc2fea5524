import { assertEquals } from "../../tests/support/assert.ts";
import type { TemplateRow } from "../db/tables/prompt_templates.ts";
import { selectTemplate, type TemplateQuery } from "./template_selection.ts";

let n = 0;
function row(overrides: Partial<TemplateRow>): TemplateRow {
  n++;
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    template_name: `t${n}`,
    version: 1,
    use_case: "enhancement",
    content_mode: "sfw",
    job_type: "image",
    target_model: null,
    enhancer_model: "",
    system_prompt: "x",
    token_limit: 100,
    updated_at: "2026-12-01T00:00:00+00:00",
    ...overrides,
  };
}

const query: TemplateQuery = {
  useCase: "enhancement",
  contentMode: "sfw",
  jobType: "image",
  targetModel: "owner/sdxl",
  targetFamily: "sdxl",
  enhancerModel: "qwen/qwen",
};

const exact = row({ template_name: "exact", target_model: "owner/sdxl" });
const family = row({ template_name: "family", target_model: "sdxl" });
const universal = row({ template_name: "universal" });
const nsfwExact = row({
  template_name: "nsfw exact",
  target_model: "owner/sdxl",
  content_mode: "nsfw",
});
const video = row({ template_name: "video universal", job_type: "video" });
const chat = row({ template_name: "chat", use_case: "chat", job_type: "chat" });

const pick = (rows: TemplateRow[], q: Partial<TemplateQuery> = {}) => {
  const c = selectTemplate(rows, { ...query, ...q });
  return c ? [c.template.template_name, c.level] : null;
};

Deno.test("exact model, then its family, then the universal template", () => {
  const all = [exact, family, universal, nsfwExact, video, chat];
  assertEquals(pick(all), ["exact", "exact"]);
  assertEquals(pick([family, universal, nsfwExact]), ["family", "family"]);
  assertEquals(pick([universal, video, chat]), ["universal", "universal"]);
  assertEquals(pick(all, { targetModel: "owner/other" }), ["family", "family"]);
  assertEquals(pick(all, { targetModel: "owner/other", targetFamily: null }), [
    "universal",
    "universal",
  ]);
  assertEquals(pick(all, { jobType: "video", targetModel: "x/y", targetFamily: "z" }), [
    "video universal",
    "universal",
  ]);
});

Deno.test("an SFW request never gets an NSFW template, and the reverse", () => {
  assertEquals(pick([nsfwExact]), null, "no swap when only NSFW exists");
  assertEquals(pick([exact, family, universal], { contentMode: "nsfw" }), null);
  assertEquals(pick([exact, nsfwExact], { contentMode: "nsfw" }), ["nsfw exact", "exact"]);
});

Deno.test("within a level: the job type's own, then the enhancer's own, then the newest version", () => {
  const anyJob = row({ template_name: "any job", target_model: "owner/sdxl", job_type: null });
  const forEnhancer = row({
    template_name: "for enhancer",
    target_model: "owner/sdxl",
    enhancer_model: "qwen/qwen",
  });
  const otherEnhancer = row({
    template_name: "other enhancer",
    target_model: "owner/sdxl",
    enhancer_model: "other/llm",
    version: 9,
  });
  const v2 = row({ template_name: "exact v2", target_model: "owner/sdxl", version: 2 });
  assertEquals(pick([anyJob, exact]), ["exact", "exact"]);
  assertEquals(pick([anyJob]), ["any job", "exact"], "a template for any job type still fits");
  assertEquals(pick([exact, forEnhancer]), ["for enhancer", "exact"]);
  assertEquals(pick([exact, otherEnhancer]), ["exact", "exact"], "another enhancer's never fits");
  assertEquals(pick([exact, v2]), ["exact v2", "exact"]);
  assertEquals(pick([chat], { useCase: "chat", jobType: "chat" }), ["chat", "universal"]);
});
