-- Local seed data for the dev stack (never needed by the tests, which make their own data).
-- Idempotent: `npm run dev` loads it on every start.

-- Demo users: a normal user with credits and an admin. Their JWTs are printed by `npm run dev`.
insert into auth.users (id, email, raw_user_meta_data, email_confirmed_at)
values
  ('a0000000-0000-4000-8000-000000000001', 'demo@example.com', '{"username": "demo"}', now()),
  ('a0000000-0000-4000-8000-000000000002', 'admin@example.com', '{"username": "admin"}', now())
on conflict (id) do nothing;

update public.profiles set token_balance = 1000, birth_date = date '1990-01-01',
  age_verified = true, age_verification_date = coalesce(age_verification_date, now())
where id in ('a0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000002');

insert into public.user_roles (user_id, role)
values ('a0000000-0000-4000-8000-000000000002', 'admin')
on conflict (user_id, role) do nothing;

-- ---------------------------------------------------------------------------------------------
-- system_config: keep local edits, add keys the migrations' defaults lack.
-- Each key's meaning, default and reader: docs/database.md (Settings); a key nothing reads fails
-- tests/integration/system_config_test.ts.
-- ---------------------------------------------------------------------------------------------
insert into public.system_config (id, config)
values (1, jsonb_build_object(
  'starting_credits', 100,
  'max_active_jobs_per_user', 10,
  'default_max_attempts', 3,
  'job_lease_seconds', 120,
  'job_deadline_minutes', 30,
  'workspace_ttl_hours', 168,
  'idempotency_ttl_hours', 24,
  'provider_failure_cooldown_seconds', 60,
  'webhook_event_retention_days', 30,
  'api_usage_log_retention_days', 90,
  'chat_history_messages', 20
))
on conflict (id) do update set config = excluded.config || public.system_config.config;

-- ---------------------------------------------------------------------------------------------
-- Providers (real base URLs; the dev stack points them at the simulators with <NAME>_BASE_URL).
-- The seed is the source of truth for these rows: re-running it resets them.
-- ---------------------------------------------------------------------------------------------
insert into public.api_providers
  (name, display_name, adapter, base_url, docs_url, auth_scheme, auth_header_name, secret_name,
   webhook_secret_name, rate_limits, allowed_output_hosts, is_active)
values
  ('replicate', 'Replicate', 'replicate', 'https://api.replicate.com/v1', 'https://replicate.com/docs',
   'bearer', 'Authorization', 'REPLICATE_API_TOKEN', 'REPLICATE_WEBHOOK_SECRET',
   '{"requests_per_minute": 600}', '{replicate.delivery,pbxt.replicate.delivery}', true),
  ('openrouter', 'OpenRouter', 'openrouter', 'https://openrouter.ai/api/v1', 'https://openrouter.ai/docs',
   'bearer', 'Authorization', 'OPENROUTER_API_KEY', 'OPENROUTER_WEBHOOK_SECRET',
   '{"requests_per_minute": 600}', '{openrouter.ai}', true),
  ('openai', 'OpenAI', 'openai_compatible', 'https://api.openai.com/v1', 'https://platform.openai.com/docs',
   'bearer', 'Authorization', 'OPENAI_API_KEY', null,
   '{"requests_per_minute": 500}', '{}', true)
on conflict (name) do update set
  display_name = excluded.display_name, adapter = excluded.adapter, base_url = excluded.base_url,
  docs_url = excluded.docs_url, auth_scheme = excluded.auth_scheme,
  auth_header_name = excluded.auth_header_name, secret_name = excluded.secret_name,
  webhook_secret_name = excluded.webhook_secret_name, rate_limits = excluded.rate_limits,
  allowed_output_hosts = excluded.allowed_output_hosts, is_active = excluded.is_active;

-- ---------------------------------------------------------------------------------------------
-- Models. capabilities and pricing follow the typed shapes in docs/database.md.
-- ---------------------------------------------------------------------------------------------
insert into public.api_models
  (provider_id, model_key, version, display_name, modality, task, model_family, input_defaults,
   capabilities, pricing, output_format, is_active, is_default, priority, description)
select p.id, m.model_key, m.version, m.display_name, m.modality, m.task, m.model_family,
  m.input_defaults::jsonb, m.capabilities::jsonb, m.pricing::jsonb, m.output_format, true,
  m.is_default, m.priority, m.description
from (values
  -- Image: SDXL (community model, pinned version), the default text-to-image model.
  ('replicate', 'stability-ai/sdxl', '39ed52f2a78e934b3ba6e2a89f5b1c712de7dfea535525255b1aa35c5565e08b',
   'SDXL', 'image', 'generation', 'sdxl',
   '{"apply_watermark": false, "scheduler": "K_EULER", "refine": "no_refiner"}',
   '{"input_keys": ["prompt", "negative_prompt", "width", "height", "num_outputs", "num_inference_steps", "guidance_scale", "seed", "image", "prompt_strength", "disable_safety_checker", "apply_watermark", "scheduler", "refine"],
     "key_map": {"steps": "num_inference_steps", "guidance": "guidance_scale", "seed": "seed", "num_outputs": "num_outputs", "negative_prompt": "negative_prompt", "width": "width", "height": "height", "aspect_ratio": null, "image": "image", "strength": "prompt_strength", "duration": null},
     "ranges": {"num_inference_steps": {"min": 1, "max": 50}, "guidance_scale": {"min": 0, "max": 20}, "prompt_strength": {"min": 0, "max": 1}},
     "size_mode": "dimensions",
     "aspect_ratios": {"1:1": {"width": 1024, "height": 1024}, "16:9": {"width": 1344, "height": 768}, "9:16": {"width": 768, "height": 1344}},
     "max_outputs": 4, "max_width": 1536, "max_height": 1536,
     "supports_negative_prompt": true, "supports_reference": true, "supports_seed": true,
     "safety_checker_key": "disable_safety_checker",
     "quality_presets": {"fast": {"num_inference_steps": 20}, "high": {"num_inference_steps": 40}},
     "legacy_job_types": ["sdxl_image_fast", "sdxl_image_high", "image_fast", "image_high", "image7b_fast_enhanced", "image7b_high_enhanced"],
     "video": null}',
   '{"per_output": {"fast": 1, "high": 2}}', 'png', true, 100,
   'Stable Diffusion XL: versatile text-to-image and image-to-image.'),
  -- Image: Realistic Vision 5.1 (SD 1.5 family): one output per prediction, different input names.
  ('replicate', 'lucataco/realistic-vision-v5.1', '2c8e954decbf70b7607a4414e5785ef9e4de4b8c51d50fb8b8b349160e0ef6bb',
   'Realistic Vision v5.1', 'image', 'generation', 'sd15',
   '{"scheduler": "EulerA"}',
   '{"input_keys": ["prompt", "negative_prompt", "width", "height", "steps", "guidance", "seed", "scheduler"],
     "key_map": {"steps": "steps", "guidance": "guidance", "seed": "seed", "num_outputs": null, "negative_prompt": "negative_prompt", "width": "width", "height": "height", "aspect_ratio": null, "image": null, "strength": null, "duration": null},
     "ranges": {"steps": {"min": 1, "max": 100}, "guidance": {"min": 0, "max": 20}},
     "size_mode": "dimensions",
     "aspect_ratios": {"1:1": {"width": 512, "height": 512}, "16:9": {"width": 912, "height": 512}, "9:16": {"width": 512, "height": 912}},
     "max_outputs": 1, "max_width": 1024, "max_height": 1024,
     "supports_negative_prompt": true, "supports_reference": false, "supports_seed": true,
     "safety_checker_key": null,
     "quality_presets": {"fast": {"steps": 20}, "high": {"steps": 40}},
     "legacy_job_types": ["rv51_fast", "rv51_high"],
     "video": null}',
   '{"per_output": {"fast": 1, "high": 2}}', 'png', false, 50,
   'Photorealistic SD 1.5 fine-tune.'),
  -- Image: FLUX.1 [schnell] (official model, no version): aspect ratios, at most 4 steps.
  ('replicate', 'black-forest-labs/flux-schnell', null,
   'FLUX.1 [schnell]', 'image', 'generation', 'flux',
   '{"output_format": "png", "go_fast": true}',
   '{"input_keys": ["prompt", "aspect_ratio", "num_outputs", "num_inference_steps", "seed", "output_format", "output_quality", "go_fast", "disable_safety_checker"],
     "key_map": {"steps": "num_inference_steps", "guidance": null, "seed": "seed", "num_outputs": "num_outputs", "negative_prompt": null, "width": null, "height": null, "aspect_ratio": "aspect_ratio", "image": null, "strength": null, "duration": null},
     "ranges": {"num_inference_steps": {"min": 1, "max": 4}, "output_quality": {"min": 0, "max": 100}},
     "size_mode": "aspect_ratio",
     "aspect_ratios": {"1:1": {"width": 1024, "height": 1024}, "16:9": {"width": 1344, "height": 768}, "9:16": {"width": 768, "height": 1344}},
     "max_outputs": 4, "max_width": 1440, "max_height": 1440,
     "supports_negative_prompt": false, "supports_reference": false, "supports_seed": true,
     "safety_checker_key": "disable_safety_checker",
     "quality_presets": {"fast": {"num_inference_steps": 4, "output_quality": 80}, "high": {"num_inference_steps": 4, "output_quality": 100}},
     "legacy_job_types": [],
     "video": null}',
   '{"per_output": {"fast": 1, "high": 1}}', 'png', false, 80,
   'Fast FLUX text-to-image (1-4 steps).'),
  -- Image: FLUX.1 [dev]: guidance and image-to-image.
  ('replicate', 'black-forest-labs/flux-dev', null,
   'FLUX.1 [dev]', 'image', 'generation', 'flux',
   '{"output_format": "png", "go_fast": true}',
   '{"input_keys": ["prompt", "aspect_ratio", "image", "prompt_strength", "num_outputs", "num_inference_steps", "guidance", "seed", "output_format", "output_quality", "go_fast", "disable_safety_checker"],
     "key_map": {"steps": "num_inference_steps", "guidance": "guidance", "seed": "seed", "num_outputs": "num_outputs", "negative_prompt": null, "width": null, "height": null, "aspect_ratio": "aspect_ratio", "image": "image", "strength": "prompt_strength", "duration": null},
     "ranges": {"num_inference_steps": {"min": 1, "max": 50}, "guidance": {"min": 0, "max": 10}, "prompt_strength": {"min": 0, "max": 1}, "output_quality": {"min": 0, "max": 100}},
     "size_mode": "aspect_ratio",
     "aspect_ratios": {"1:1": {"width": 1024, "height": 1024}, "16:9": {"width": 1344, "height": 768}, "9:16": {"width": 768, "height": 1344}},
     "max_outputs": 4, "max_width": 1440, "max_height": 1440,
     "supports_negative_prompt": false, "supports_reference": true, "supports_seed": true,
     "safety_checker_key": "disable_safety_checker",
     "quality_presets": {"fast": {"num_inference_steps": 28}, "high": {"num_inference_steps": 50}},
     "legacy_job_types": [],
     "video": null}',
   '{"per_output": {"fast": 2, "high": 3}}', 'png', false, 70,
   'FLUX dev: higher quality text-to-image and image-to-image.'),
  -- Video: Seedance 1 Lite, the default video model (text- and image-to-video).
  ('replicate', 'bytedance/seedance-1-lite', null,
   'Seedance 1 Lite', 'video', 'generation', 'seedance',
   '{"camera_fixed": false}',
   '{"input_keys": ["prompt", "image", "duration", "resolution", "aspect_ratio", "fps", "seed", "camera_fixed"],
     "key_map": {"steps": null, "guidance": null, "seed": "seed", "num_outputs": null, "negative_prompt": null, "width": null, "height": null, "aspect_ratio": "aspect_ratio", "image": "image", "strength": null, "duration": "duration"},
     "ranges": {},
     "size_mode": "aspect_ratio",
     "aspect_ratios": {"1:1": {"width": 960, "height": 960}, "16:9": {"width": 1280, "height": 720}, "9:16": {"width": 720, "height": 1280}},
     "max_outputs": 1, "max_width": 1280, "max_height": 1280,
     "supports_negative_prompt": false, "supports_reference": true, "supports_seed": true,
     "safety_checker_key": null,
     "quality_presets": {"fast": {"resolution": "480p", "fps": 24}, "high": {"resolution": "720p", "fps": 24}},
     "legacy_job_types": ["video_fast", "video_high", "wan_video_fast", "wan_video_high", "video7b_fast_enhanced", "video7b_high_enhanced"],
     "video": {"duration_key": "duration", "durations": [5, 10], "default_duration": 5, "fps": 24}}',
   '{"per_second": {"fast": 2, "high": 4}}', 'mp4', true, 100,
   'ByteDance Seedance 1 Lite: 5 or 10 second clips, 480p/720p.'),
  -- Video: Kling 1.6 standard (no seed; start_image for image-to-video).
  ('replicate', 'kwaivgi/kling-v1.6-standard', null,
   'Kling v1.6 Standard', 'video', 'generation', 'kling',
   '{}',
   '{"input_keys": ["prompt", "negative_prompt", "aspect_ratio", "duration", "cfg_scale", "start_image"],
     "key_map": {"steps": null, "guidance": "cfg_scale", "seed": null, "num_outputs": null, "negative_prompt": "negative_prompt", "width": null, "height": null, "aspect_ratio": "aspect_ratio", "image": "start_image", "strength": null, "duration": "duration"},
     "ranges": {"cfg_scale": {"min": 0, "max": 1}},
     "size_mode": "aspect_ratio",
     "aspect_ratios": {"1:1": {"width": 720, "height": 720}, "16:9": {"width": 1280, "height": 720}, "9:16": {"width": 720, "height": 1280}},
     "max_outputs": 1, "max_width": 1280, "max_height": 1280,
     "supports_negative_prompt": true, "supports_reference": true, "supports_seed": false,
     "safety_checker_key": null,
     "quality_presets": {"fast": {"cfg_scale": 0.5}, "high": {"cfg_scale": 0.5}},
     "legacy_job_types": [],
     "video": {"duration_key": "duration", "durations": [5, 10], "default_duration": 5, "fps": 24}}',
   '{"per_second": {"fast": 3, "high": 3}}', 'mp4', false, 60,
   'Kling 1.6 standard: 720p clips of 5 or 10 seconds.'),
  -- Chat, roleplay and prompt enhancement on OpenRouter.
  ('openrouter', 'mistralai/mistral-small-3.2-24b-instruct', null,
   'Mistral Small 3.2 24B', 'chat', 'chat', 'mistral',
   '{"temperature": 0.7, "max_tokens": 1024}',
   '{"context_length": 128000, "max_output_tokens": 4096, "supports_streaming": true, "supports_system_prompt": true, "nsfw": false}',
   '{}', 'text', true, 100, 'General assistant chat.'),
  ('openrouter', 'cognitivecomputations/dolphin-mistral-24b-venice-edition:free', null,
   'Dolphin Mistral 24B Venice', 'chat', 'roleplay', 'mistral',
   '{"temperature": 0.9, "max_tokens": 1024}',
   '{"context_length": 32768, "max_output_tokens": 2048, "supports_streaming": true, "supports_system_prompt": true, "nsfw": true}',
   '{}', 'text', true, 100, 'Character roleplay (adult content allowed for verified adults).'),
  ('openrouter', 'qwen/qwen-2.5-72b-instruct', null,
   'Qwen 2.5 72B Instruct', 'chat', 'enhancement', 'qwen',
   '{"temperature": 0.4, "max_tokens": 512}',
   '{"context_length": 32768, "max_output_tokens": 2048, "supports_streaming": true, "supports_system_prompt": true, "nsfw": true}',
   '{}', 'text', true, 100, 'Prompt enhancement for image and video generation.'),
  ('openai', 'gpt-4o-mini', null,
   'GPT-4o mini', 'chat', 'chat', 'gpt',
   '{"temperature": 0.7, "max_tokens": 1024}',
   '{"context_length": 128000, "max_output_tokens": 16384, "supports_streaming": true, "supports_system_prompt": true, "nsfw": false}',
   '{}', 'text', false, 10, 'Fallback SFW chat model.')
) as m (provider, model_key, version, display_name, modality, task, model_family, input_defaults,
        capabilities, pricing, output_format, is_default, priority, description)
join public.api_providers p on p.name = m.provider
on conflict on constraint api_models_provider_model_version_key do update set
  display_name = excluded.display_name, modality = excluded.modality, task = excluded.task,
  model_family = excluded.model_family, input_defaults = excluded.input_defaults,
  capabilities = excluded.capabilities, pricing = excluded.pricing,
  output_format = excluded.output_format, is_active = excluded.is_active,
  is_default = excluded.is_default, priority = excluded.priority, description = excluded.description;

-- ---------------------------------------------------------------------------------------------
-- Enhancement templates: one per (target model, job type, content mode), plus a universal
-- fallback per (job type, content mode) with target_model null. Lookups never swap modes.
-- ---------------------------------------------------------------------------------------------
insert into public.prompt_templates
  (enhancer_model, use_case, content_mode, template_name, system_prompt, token_limit, job_type,
   target_model, description, is_active)
select '', 'enhancement', cm.mode,
  'enhance ' || coalesce(m.model_key, 'any ' || m.modality) || ' ' || cm.mode,
  'You rewrite a user''s idea into one prompt for the ' || coalesce(m.display_name, 'any ' || m.modality || ' model')
    || ' ' || m.modality || ' generation model. '
    || case
         when m.model_family in ('sdxl', 'sd15') then
           'Write a comma-separated list of descriptive phrases: subject first, then setting, composition, lighting, camera and style keywords. Stay under 75 CLIP tokens; put the most important terms first. '
         when m.model_family = 'flux' then
           'Write two to four plain-language sentences describing the subject, setting, composition, lighting and style; FLUX reads natural language and ignores weights and negative phrasing. '
         when m.modality = 'video' then
           'Describe one continuous shot: the subject, what happens over the clip, camera movement, pacing and mood, in three to five sentences in the present tense. '
         else
           'Describe the subject, setting, composition, lighting and style concretely in a few sentences. '
       end
    || case cm.mode
         when 'sfw' then
           'Keep it safe for work: no nudity, sexual content or graphic violence; if the idea asks for any, rewrite it into a tasteful, fully clothed version. '
         else
           'The user is a verified adult who enabled mature content: sensual and explicit content between consenting adults is allowed. Never depict minors or anyone who looks underage, non-consent, or real, identifiable people. '
       end
    || 'Keep the user''s subject and intent; add concrete visual detail rather than adjectives like "beautiful". Reply with the prompt only: no preamble, quotes or explanations.',
  case when m.modality = 'video' then 400 else 300 end,
  m.modality, m.model_key,
  'Seeded enhancement template for ' || coalesce(m.model_key, 'any ' || m.modality || ' model') || ' (' || cm.mode || ').',
  true
from (
  select am.model_key, am.display_name, am.modality, am.model_family
  from public.api_models am join public.api_providers ap on ap.id = am.provider_id
  where ap.name = 'replicate' and am.modality in ('image', 'video')
  union all
  select null, null, x.modality, null from (values ('image'), ('video')) as x (modality)
) as m
cross join (values ('sfw'), ('nsfw')) as cm (mode)
on conflict (template_name, version) do update set
  system_prompt = excluded.system_prompt, token_limit = excluded.token_limit,
  job_type = excluded.job_type, target_model = excluded.target_model,
  description = excluded.description, is_active = excluded.is_active;

-- Chat templates. Placeholders filled by playground-chat: {{character_name}},
-- {{character_description}}, {{character_persona}}, {{user_character}}, {{scene}}.
insert into public.prompt_templates
  (enhancer_model, use_case, content_mode, template_name, system_prompt, token_limit, job_type,
   target_model, description, is_active)
values
  ('', 'chat', 'sfw', 'chat general sfw',
   'You are a helpful, friendly creative assistant on an image and video generation platform. Help the user brainstorm ideas, write and refine prompts, and answer questions clearly and concisely. Keep all content safe for work; decline sexual or graphic requests politely and offer a tasteful alternative.',
   1024, 'chat', null, 'General assistant chat, safe for work.', true),
  ('', 'chat', 'nsfw', 'chat general nsfw',
   'You are a helpful, candid creative assistant on an image and video generation platform, talking with a verified adult who enabled mature content. Help brainstorm ideas and write and refine prompts, including sensual or explicit themes between consenting adults. Never involve minors or anyone who looks underage, non-consent, or real, identifiable people.',
   1024, 'chat', null, 'General assistant chat for verified adults.', true),
  ('', 'character_roleplay', 'sfw', 'roleplay character sfw',
   'You are {{character_name}}. {{character_description}}' || E'\n' || 'Personality: {{character_persona}}' || E'\n'
     || 'The user plays: {{user_character}}. Current scene: {{scene}}.' || E'\n'
     || 'Stay in character, write in the first person, and reply in one to three short paragraphs that move the story forward. Never speak or act for the user. Keep everything safe for work: no sexual content or graphic violence; steer away from it in character.',
   1024, 'roleplay', null, 'Character roleplay, safe for work.', true),
  ('', 'character_roleplay', 'nsfw', 'roleplay character nsfw',
   'You are {{character_name}}. {{character_description}}' || E'\n' || 'Personality: {{character_persona}}' || E'\n'
     || 'The user plays: {{user_character}}. Current scene: {{scene}}.' || E'\n'
     || 'Stay in character, write in the first person, and reply in one to three short paragraphs that move the story forward. Never speak or act for the user. The user is a verified adult who enabled mature content: romantic and explicit scenes between consenting adults are allowed. Never involve minors or anyone who looks underage, non-consent, or real, identifiable people; break character only to refuse those.',
   1024, 'roleplay', null, 'Character roleplay for verified adults.', true)
on conflict (template_name, version) do update set
  system_prompt = excluded.system_prompt, token_limit = excluded.token_limit,
  job_type = excluded.job_type, description = excluded.description, is_active = excluded.is_active;

-- ---------------------------------------------------------------------------------------------
-- Negative prompts (model families that take one: sdxl, sd15, kling)
-- ---------------------------------------------------------------------------------------------
insert into public.negative_prompts (model_type, content_mode, generation_mode, negative_prompt, priority, description)
values
  ('sdxl', 'sfw', 'txt2img', 'lowres, blurry, jpeg artifacts, watermark, text, signature, deformed, bad anatomy, extra limbs, extra fingers, cropped', 1, 'Quality'),
  ('sdxl', 'sfw', 'txt2img', 'nsfw, nude, nudity, explicit, sexual', 2, 'Keep SFW output clothed'),
  ('sdxl', 'nsfw', 'txt2img', 'lowres, blurry, jpeg artifacts, watermark, text, signature, deformed, bad anatomy, extra limbs, extra fingers, cropped', 1, 'Quality'),
  ('sdxl', 'nsfw', 'txt2img', 'child, childlike, underage, teen', 2, 'Adults only'),
  ('sdxl', 'sfw', 'i2i', 'lowres, blurry, watermark, text, deformed, inconsistent face, different person', 1, 'Keep the reference identity'),
  ('sdxl', 'nsfw', 'i2i', 'lowres, blurry, watermark, text, deformed, inconsistent face, different person, child, underage', 1, 'Keep the reference identity, adults only'),
  ('sd15', 'sfw', 'txt2img', '(worst quality, low quality:1.4), blurry, watermark, text, deformed iris, deformed hands, bad anatomy, nsfw, nude', 1, 'Quality and SFW'),
  ('sd15', 'nsfw', 'txt2img', '(worst quality, low quality:1.4), blurry, watermark, text, deformed iris, deformed hands, bad anatomy, child, underage', 1, 'Quality, adults only'),
  ('kling', 'sfw', 'txt2img', 'blurry, low quality, distorted faces, flicker, watermark, text', 1, 'Video quality'),
  ('kling', 'nsfw', 'txt2img', 'blurry, low quality, distorted faces, flicker, watermark, text, child, underage', 1, 'Video quality, adults only')
on conflict do nothing;

-- ---------------------------------------------------------------------------------------------
-- Enhancement presets and compel configs
-- ---------------------------------------------------------------------------------------------
insert into public.enhancement_presets
  (preset_name, preset_description, enable_qwen, enable_compel, auto_enhancement, compel_weights, qwen_settings, is_recommended)
values
  ('Balanced', 'LLM enhancement on request, no prompt weighting.', true, false, false, null,
   '{"temperature": 0.4, "max_tokens": 300}', true),
  ('Maximum detail', 'Always enhance and add quality weighting.', true, true, true,
   '{"quality": 1.1, "detail": 1.05}', '{"temperature": 0.5, "max_tokens": 400}', false),
  ('Raw prompt', 'Send the prompt exactly as typed.', false, false, false, null, null, false)
on conflict (preset_name) do nothing;

insert into public.compel_configs (config_name, weights, config_hash, is_active)
select c.config_name, c.weights::jsonb,
  encode(sha256(convert_to(c.weights::jsonb::text, 'UTF8')), 'hex'), c.is_active
from (values
  ('default', '{"quality": 1.1, "detail": 1.05}', true),
  ('strong', '{"quality": 1.3, "detail": 1.2, "lighting": 1.1}', false)
) as c (config_name, weights, is_active)
on conflict (config_hash) do nothing;

-- ---------------------------------------------------------------------------------------------
-- Two public platform characters (no owner)
-- ---------------------------------------------------------------------------------------------
insert into public.characters
  (id, user_id, name, description, traits, appearance_tags, persona, voice_tone, mood, gender,
   content_rating, role, is_public, consistency_method, base_prompt, quick_start, first_message)
values
  ('c0000000-0000-4000-8000-000000000001', null, 'Luna',
   'A cheerful astronomer who runs a small observatory on a windy hill.',
   'curious, warm, patient, loves bad puns',
   '{woman,silver hair,freckles,round glasses,wool sweater}',
   'Luna explains the night sky with wonder and never makes anyone feel silly for asking.',
   'warm', 'playful', 'female', 'sfw', 'ai', true, 'i2i_reference',
   'portrait of a young woman with silver hair, freckles and round glasses, cozy wool sweater, observatory at night',
   true, 'Oh, hello! You''re just in time: Jupiter is rising over the ridge. Want a look?'),
  ('c0000000-0000-4000-8000-000000000002', null, 'Vex',
   'A charming rogue who runs a candlelit speakeasy in a rain-soaked city.',
   'flirtatious, witty, secretive, loyal',
   '{man,dark hair,stubble,tailored vest,candlelight}',
   'Vex flirts shamelessly, trades in secrets and always keeps a promise.',
   'smooth', 'teasing', 'male', 'nsfw', 'ai', true, 'i2i_reference',
   'portrait of a handsome man with dark tousled hair and stubble, tailored vest, candlelit speakeasy, rain on the window',
   true, 'Rain''s coming down hard tonight. Sit, have a drink on the house, and tell me what brings you in.')
on conflict (id) do nothing;
