/**
 * Where workspace-actions puts objects, and the check every path read from a row passes before
 * it is copied, signed or removed: a path must be a safe key under the caller's own folder. The
 * tables' CHECKs already require the `{user_id}/` prefix, but `{me}/../{other}/x.png` has that
 * prefix too (reference bug 5: rows pointing into another user's folder).
 */
import { AppError } from "../../shared/errors.ts";
import { objectPathProblem } from "../../shared/storage/object_path.ts";

const EXTENSIONS: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/webp": "webp",
  "image/gif": "gif",
  "video/mp4": "mp4",
  "video/webm": "webm",
  "video/quicktime": "mov",
};

/** The file extension for a MIME type (`image/jpeg` → `jpg`), falling back to its subtype. */
export function extensionFor(mime: string): string {
  return EXTENSIONS[mime] ?? (mime.split("/")[1] ?? "bin").replace(/[^a-z0-9]/g, "").slice(0, 10);
}

/** The extension of a stored path (`a/b.thumb.webp` → `webp`), or `bin`. */
export function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
  return /^[a-z0-9]{1,10}$/.test(ext) ? ext : "bin";
}

/** A library item's object: `{user_id}/{library_id}.{ext}`. */
export function libraryPath(userId: string, itemId: string, mime: string): string {
  return `${userId}/${itemId}.${extensionFor(mime)}`;
}

/** A copied thumbnail: `{user_id}/{id}.thumb.{ext of the source thumbnail}`. */
export function thumbnailPath(userId: string, id: string, sourceThumb: string): string {
  return `${userId}/${id}.thumb.${extensionOf(sourceThumb)}`;
}

/** A workspace copy's object: `{user_id}/{asset_id}.{ext}`. */
export function workspacePath(userId: string, assetId: string, mime: string): string {
  return `${userId}/${assetId}.${extensionFor(mime)}`;
}

/** Whether `path` is a safe key in `userId`'s own folder. */
export function isOwnPath(userId: string, path: string): boolean {
  return objectPathProblem(path) === null && path.startsWith(`${userId}/`);
}

/**
 * `path` if it is a safe key in `userId`'s own folder; otherwise a 403 naming the row's field,
 * before anything is read, copied or signed.
 */
export function ownPath(userId: string, path: string, field: string): string {
  if (!isOwnPath(userId, path)) {
    throw new AppError("FORBIDDEN", "The stored object is outside your folder", {
      details: [{ field, message: "points outside the owner's folder" }],
    });
  }
  return path;
}
