/**
 * The closed sets the database CHECKs (job statuses, content modes, media kinds, qualities,
 * destinations, model modalities) and the storage buckets, named once. Code uses these instead
 * of string literals; tests/integration/vocabulary_test.ts compares each list with the CHECK
 * constraints and bucket rows of the migrated database, so a value added on one side only fails
 * the tests. A new value is a forward migration plus one line here.
 */

/** `{ a: "a", b: "b" }` for a list of values, so call sites can write `JOB_STATUS.queued`. */
function byName<const T extends readonly string[]>(values: T): { readonly [K in T[number]]: K } {
  return Object.freeze(Object.fromEntries(values.map((v) => [v, v]))) as {
    readonly [K in T[number]]: K;
  };
}

/** `jobs.status`, in lifecycle order (docs/jobs.md has the transitions). */
export const JOB_STATUSES = ["queued", "processing", "completed", "failed", "cancelled"] as const;
/** A job's status. */
export type JobStatus = typeof JOB_STATUSES[number];
/** Job statuses by name. */
export const JOB_STATUS = byName(JOB_STATUSES);
/** Statuses a job can still leave; they count toward the per-user active-job cap. */
export const ACTIVE_JOB_STATUSES = [JOB_STATUS.queued, JOB_STATUS.processing] as const;
/** Statuses that never change again (`jobs.completed_at` is set). */
export const TERMINAL_JOB_STATUSES = [
  JOB_STATUS.completed,
  JOB_STATUS.failed,
  JOB_STATUS.cancelled,
] as const;
/** A status that never changes again. */
export type TerminalJobStatus = typeof TERMINAL_JOB_STATUSES[number];

/** Whether `status` is terminal. */
export function isTerminalJobStatus(status: string): status is TerminalJobStatus {
  return (TERMINAL_JOB_STATUSES as readonly string[]).includes(status);
}

/** `jobs.content_mode` (also prompt templates, negative prompts, characters' rating). */
export const CONTENT_MODES = ["sfw", "nsfw"] as const;
/** Safe or adult content. */
export type ContentMode = typeof CONTENT_MODES[number];
/** Content modes by name. */
export const CONTENT_MODE = byName(CONTENT_MODES);

/**
 * What a generation produces: `jobs.modality`, `jobs.format`, `workspace_assets.asset_type` and
 * `user_library.asset_type`.
 */
export const MEDIA_KINDS = ["image", "video"] as const;
/** A still image or a video. */
export type MediaKind = typeof MEDIA_KINDS[number];
/** Media kinds by name. */
export const MEDIA_KIND = byName(MEDIA_KINDS);

/** `api_models.modality`: the media kinds plus the models that generate no media. */
export const MODEL_MODALITIES = [...MEDIA_KINDS, "chat", "audio", "embedding"] as const;
/** What a model works with. */
export type ModelModality = typeof MODEL_MODALITIES[number];
/** Model modalities by name. */
export const MODEL_MODALITY = byName(MODEL_MODALITIES);

/** `jobs.quality` and `usage_logs.quality`: the price tier and the model's quality preset. */
export const QUALITIES = ["fast", "high"] as const;
/** A quality tier. */
export type Quality = typeof QUALITIES[number];
/** Qualities by name. */
export const QUALITY = byName(QUALITIES);

/** `jobs.destination`: where a job's outputs are stored. */
export const DESTINATIONS = ["workspace", "library"] as const;
/** Where outputs go. */
export type Destination = typeof DESTINATIONS[number];
/** Destinations by name. */
export const DESTINATION = byName(DESTINATIONS);

/** The storage buckets the migrations create (`storage.buckets.id`), by role. */
export const BUCKETS = {
  /** Generation outputs until saved or expired (`workspace_assets.temp_storage_path`). */
  workspace: "workspace-temp",
  /** Saved assets (`user_library.storage_path`). */
  library: "user-library",
  /** Images users upload to guide a generation. */
  reference: "reference_images",
  /** Profile pictures (public). */
  avatars: "avatars",
  /** Platform images (public). */
  systemAssets: "system_assets",
  /** Platform videos (public). */
  videos: "videos",
} as const;
/** A bucket id. */
export type BucketId = typeof BUCKETS[keyof typeof BUCKETS];
/** Every bucket id. */
export const BUCKET_IDS: readonly BucketId[] = Object.values(BUCKETS);
/** Buckets served by public URL; the others are private (own folder only). */
export const PUBLIC_BUCKETS: readonly BucketId[] = [
  BUCKETS.avatars,
  BUCKETS.systemAssets,
  BUCKETS.videos,
];
/** The bucket a table's storage path lives in (rows store the path without the bucket). */
export const TABLE_BUCKETS = {
  workspace_assets: BUCKETS.workspace,
  user_library: BUCKETS.library,
} as const satisfies Record<string, BucketId>;
/** The bucket a job's outputs are written to, by `jobs.destination`. */
export const DESTINATION_BUCKETS = {
  workspace: TABLE_BUCKETS.workspace_assets,
  library: TABLE_BUCKETS.user_library,
} as const satisfies Record<Destination, BucketId>;
/** Buckets a job's reference image may be read from: uploads, and the user's own outputs. */
export const REFERENCE_BUCKETS = [BUCKETS.reference, BUCKETS.workspace, BUCKETS.library] as const;

/** `conversations.conversation_type`. */
export const CONVERSATION_TYPES = [
  "general",
  "creative",
  "admin",
  "roleplay",
  "character_roleplay",
  "scene_roleplay",
  "storyboard",
] as const;
/** A conversation type. */
export type ConversationType = typeof CONVERSATION_TYPES[number];
/** Conversation types whose model plays a character. */
export const ROLEPLAY_CONVERSATION_TYPES: readonly ConversationType[] = [
  "roleplay",
  "character_roleplay",
  "scene_roleplay",
];

/** `conversations.memory_tier`. */
export const MEMORY_TIERS = ["conversation", "character", "profile"] as const;
/** A memory tier. */
export type MemoryTier = typeof MEMORY_TIERS[number];

/** `messages.message_type`: `partial` is a reply cut short by a client that went away. */
export const MESSAGE_TYPES = ["text", "image", "system", "partial"] as const;
/** A message type. */
export type MessageType = typeof MESSAGE_TYPES[number];
