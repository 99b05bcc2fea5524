/** A pid lock so a second `npm run dev` says so instead of fighting over the same cluster. */
import { join } from "node:path";
import { stateRoot } from "./cluster.ts";

function alive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

/** Takes the lock; returns the pid of the holder instead when another run holds it. */
export async function takeDevLock(): Promise<{ release(): void } | { heldBy: number }> {
  const path = join(stateRoot(), "dev.lock");
  await Deno.mkdir(stateRoot(), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const file = await Deno.open(path, { createNew: true, write: true });
      await file.write(new TextEncoder().encode(String(Deno.pid)));
      file.close();
      return { release: () => Deno.removeSync(path) };
    } catch (err) {
      if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
      const pid = Number(await Deno.readTextFile(path).catch(() => "0"));
      if (pid && alive(pid)) return { heldBy: pid };
      await Deno.remove(path).catch(() => {}); // stale lock from a run that was killed
    }
  }
  throw new Error("Could not take the dev lock");
}
