/**
 * The sending side of OpenRouter's signed video callbacks:
 * `X-OpenRouter-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>,<body>")>`.
 */

/** The header value for `body` signed at `timestamp` (Unix seconds). */
export async function signOpenRouterCallback(
  secret: string,
  timestamp: number,
  body: string,
): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(
    await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${timestamp},${body}`)),
  );
  const hex = Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
  return `t=${timestamp},v1=${hex}`;
}
