/**
 * Ids derived from other ids (name-based uuids, RFC 9562 version 5): the library item saved from
 * a workspace asset, and the workspace asset copied from a library item. Derived rather than
 * random, they are known before any object is copied, so every save of an asset (repeated,
 * concurrent, or retried after a crash) targets the same path and the same row, and a copy whose
 * row was never written is found again when its source goes.
 */

import { createHash } from "node:crypto";

// Fixed namespaces of this project (random once; changing them would orphan existing copies).
const LIBRARY_ITEM_NS = "5f3c9d2e-8a41-4c07-9b6e-2d1f7a90c3b8";
const WORKSPACE_COPY_NS = "c1a7e4b9-3d56-4f82-a0e1-96b2d5c8f417";

function bytesOf(uuid: string): Uint8Array {
  const hex = uuid.replace(/-/g, "");
  return Uint8Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}

/** The version 5 uuid of `name` in `namespace`. */
export function nameUuid(namespace: string, name: string): string {
  // Synchronous (node:crypto): WebCrypto's digest waits on another thread, on every save.
  const h = new Uint8Array(
    createHash("sha1").update(bytesOf(namespace)).update(name, "utf8").digest(),
  ).slice(0, 16);
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = [...h].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}

/** The id of the library item a workspace asset is saved as. */
export function libraryIdFor(assetId: string): string {
  return nameUuid(LIBRARY_ITEM_NS, assetId.toLowerCase());
}

/** The id of the workspace asset a library item is copied back as. */
export function workspaceCopyIdFor(itemId: string): string {
  return nameUuid(WORKSPACE_COPY_NS, itemId.toLowerCase());
}

/** The advisory lock name of the library item a save creates (save, discard, expiry take it). */
export function libraryLock(libraryId: string): string {
  return `library-item:${libraryId}`;
}

/** The advisory lock name of a workspace copy (copy-to-workspace and item deletion take it). */
export function workspaceCopyLock(assetId: string): string {
  return `workspace-copy:${assetId}`;
}
