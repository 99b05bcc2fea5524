/**
 * The simulator's object bytes on disk. Each stored version is one file named by a random
 * version id (the `version` column of storage.objects), so keys never reach the file system
 * and a move is a row update. Uploads stream into a temp file, counted and hashed as they
 * arrive, so an oversized body is cut off at the limit instead of being buffered.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { simErrors } from "./storage_responses.ts";

/** A body received into a temp file. */
export interface ReceivedBlob {
  tmp: string;
  size: number;
  /** Hex MD5, Storage's eTag. */
  md5: string;
}

/** An opened stored file. */
export interface OpenedBlob {
  file: Deno.FsFile;
  size: number;
}

/** Disk operations of the simulator. */
export interface BlobStore {
  /** Streams `body` into a temp file; EntityTooLarge past `limit` bytes (body drained). */
  receive(body: ReadableStream<Uint8Array> | null, limit: number): Promise<ReceivedBlob>;
  /** Moves a received temp file into place as `version`. */
  commit(tmp: string, version: string): Promise<void>;
  /** Duplicates a stored version under a new version id, which it returns. */
  duplicate(version: string): Promise<string>;
  /** Opens a stored version, or null when its file is missing. */
  open(version: string): Promise<OpenedBlob | null>;
  /** Deletes stored versions and temp files; missing ones are ignored. */
  discard(...pathsOrVersions: (string | null | undefined)[]): Promise<void>;
}

/** Creates the store under `dir` (created if needed). */
export async function createBlobStore(dir: string): Promise<BlobStore> {
  const objects = join(dir, "objects");
  const tmpDir = join(dir, "tmp");
  await Deno.mkdir(objects, { recursive: true });
  await Deno.mkdir(tmpDir, { recursive: true });
  const pathOf = (version: string) => {
    // Versions are our own uuids; anything else is a corrupted row, never a path to follow.
    if (!/^[0-9a-f-]{36}$/.test(version)) throw simErrors.internal("corrupt object version");
    return join(objects, version);
  };

  return {
    async receive(body, limit) {
      const tmp = join(tmpDir, crypto.randomUUID());
      const file = await Deno.open(tmp, { write: true, createNew: true });
      const hash = createHash("md5");
      let size = 0;
      try {
        for await (const chunk of body ?? []) {
          size += chunk.byteLength;
          // Past the limit the rest is read and dropped: answering before the client has sent
          // its body makes HTTP clients report a broken connection instead of the 413 body.
          if (size > limit) continue;
          hash.update(chunk);
          let written = 0;
          while (written < chunk.byteLength) {
            written += await file.write(chunk.subarray(written));
          }
        }
      } catch (err) {
        file.close();
        await Deno.remove(tmp).catch(() => {});
        throw err;
      }
      file.close();
      if (size > limit) {
        await Deno.remove(tmp).catch(() => {});
        throw simErrors.tooLarge();
      }
      return { tmp, size, md5: hash.digest("hex") };
    },

    async commit(tmp, version) {
      await Deno.rename(tmp, pathOf(version));
    },

    async duplicate(version) {
      const next = crypto.randomUUID();
      try {
        await Deno.copyFile(pathOf(version), pathOf(next));
      } catch (err) {
        if (err instanceof Deno.errors.NotFound) throw simErrors.noSuchKey();
        throw err;
      }
      return next;
    },

    async open(version) {
      try {
        const file = await Deno.open(pathOf(version), { read: true });
        const { size } = await file.stat();
        return { file, size };
      } catch (err) {
        if (err instanceof Deno.errors.NotFound) return null;
        throw err;
      }
    },

    async discard(...items) {
      for (const item of items) {
        if (!item) continue;
        const path = item.startsWith(tmpDir) ? item : pathOf(item);
        await Deno.remove(path).catch(() => {});
      }
    },
  };
}
