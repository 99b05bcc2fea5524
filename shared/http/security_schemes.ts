/**
 * The ways a caller proves who it is, as OpenAPI security schemes, and which of them each auth
 * guard demands. The guards mark their middleware with {@link markGuard}, so the document reads
 * a route's security off the middleware that really runs for it (see `openapi_document.ts`).
 */

/** Every security scheme a function's document may carry, by the name operations use. */
export const SECURITY_SCHEMES = {
  bearerAuth: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "A signed-in user's Supabase access token (`role` and `aud` `authenticated`, " +
      "with `exp`), HS256 with the project's JWT secret or ES256/RS256 through its JWKS. The anon " +
      "key is refused. Admin operations also need the `admin` role (`public.has_role`).",
  },
  secretApiKey: {
    type: "apiKey",
    in: "header",
    name: "apikey",
    description: "A Supabase secret API key (`sb_secret_...`), for scheduled and internal calls.",
  },
  serviceRoleJwt: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "The legacy service_role key: a JWT whose `role` is `service_role`.",
  },
  standardWebhooks: {
    type: "apiKey",
    in: "header",
    name: "webhook-signature",
    description: "Standard Webhooks (Replicate): `v1,<base64 HMAC-SHA256>` of " +
      "`<webhook-id>.<webhook-timestamp>.<body>` with the provider's webhook secret; the " +
      "`webhook-id` and `webhook-timestamp` headers are required too, the timestamp within " +
      "5 minutes.",
  },
  openRouterSignature: {
    type: "apiKey",
    in: "header",
    name: "X-OpenRouter-Signature",
    description: "OpenRouter video callbacks: `t=<unix seconds>,v1=<hex HMAC-SHA256 of " +
      '"<t>,<body>">` with the provider\'s webhook secret, the timestamp within 5 minutes.',
  },
  broadcastSecret: {
    type: "apiKey",
    in: "header",
    name: "X-Broadcast-Secret",
    description: "OpenRouter Broadcast: the static secret configured as " +
      "`OPENROUTER_BROADCAST_SECRET` (Broadcast signs nothing).",
  },
} as const;

/** The name of one of {@link SECURITY_SCHEMES}. */
export type SecuritySchemeName = keyof typeof SECURITY_SCHEMES;

/** OpenAPI security requirements: any one entry suffices; every scheme in an entry must hold. */
export type SecurityRequirements = { [name: string]: string[] }[];

/** The security of a route whose handler checks one scheme itself (the webhook signatures). */
export function securedBy(scheme: SecuritySchemeName): SecurityRequirements {
  return [{ [scheme]: [] }];
}

/** What each guard accepts, and the 4xx statuses it answers itself. */
export const GUARD_SECURITY = {
  user: { security: securedBy("bearerAuth"), statuses: [401] },
  // A valid user token without the admin role gets 403.
  admin: { security: securedBy("bearerAuth"), statuses: [401, 403] },
  // A valid JWT of another role gets 403.
  service: {
    security: [...securedBy("secretApiKey"), ...securedBy("serviceRoleJwt")],
    statuses: [401, 403],
  },
} as const satisfies Record<string, { security: SecurityRequirements; statuses: number[] }>;

/** One of the auth guards of `auth/guards.ts`. */
export type GuardKind = keyof typeof GUARD_SECURITY;

const guardKinds = new WeakMap<object, GuardKind>();

/** Marks a middleware as the given guard, so documents derive the routes' security from it. */
export function markGuard<T extends object>(middleware: T, kind: GuardKind): T {
  guardKinds.set(middleware, kind);
  return middleware;
}

/** The guard a handler was marked as, if any. */
export function guardKindOf(handler: unknown): GuardKind | undefined {
  return typeof handler === "function" ? guardKinds.get(handler) : undefined;
}
