/**
 * The memory the platform counts: Supabase's edge runtime limits a worker by its isolate's V8
 * heap plus external memory (edge-runtime's memory check), not by the process's RSS, which
 * also holds the Deno binary, compiled code and V8's own reserves. Each bench function process
 * runs with an inspector; this samples `Deno.memoryUsage()` in it through the inspector every
 * `intervalMs` and keeps the peaks, per scenario like the RSS peaks.
 */
import { connectInspector } from "./cpuprof.ts";

/** Peaks since the last reset, in MB. */
export interface IsolatePeak {
  /** V8 heap in use plus external (ArrayBuffers, buffers held by JS). */
  heapPlusExternalMb: number;
  heapUsedMb: number;
  /** Memory outside the heap held by JS objects (ArrayBuffers: a buffered object shows here). */
  externalMb: number;
}

/** A running sampler. */
export interface IsolateSampler {
  /** The peaks since the last call, then starts over. */
  takePeaks(): Record<string, IsolatePeak>;
  stop(): void;
}

const MB = 1024 * 1024;

/** Connects to each function's inspector port and samples until stopped. */
export async function sampleIsolates(
  ports: Record<string, number>,
  intervalMs = 200,
): Promise<IsolateSampler> {
  const peaks: Record<string, IsolatePeak> = {};
  const clients = await Promise.all(
    Object.entries(ports).map(async ([name, port]) => ({
      name,
      cdp: await connectInspector(port),
    })),
  );
  let running = true;
  const loops = clients.map(async ({ name, cdp }) => {
    while (running) {
      const res = await cdp.send("Runtime.evaluate", {
        expression: "JSON.stringify(Deno.memoryUsage())",
        returnByValue: true,
      });
      const raw = (res.result?.result as { value?: string } | undefined)?.value;
      if (raw) {
        const m = JSON.parse(raw) as { heapUsed: number; external: number };
        const p = peaks[name] ??= { heapPlusExternalMb: 0, heapUsedMb: 0, externalMb: 0 };
        p.heapPlusExternalMb = Math.max(
          p.heapPlusExternalMb,
          (m.heapUsed + m.external) / MB,
        );
        p.heapUsedMb = Math.max(p.heapUsedMb, m.heapUsed / MB);
        p.externalMb = Math.max(p.externalMb, m.external / MB);
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  });
  return {
    takePeaks() {
      const out = { ...peaks };
      for (const k of Object.keys(peaks)) delete peaks[k];
      return out;
    },
    stop() {
      running = false;
      for (const { cdp } of clients) cdp.close();
      void Promise.allSettled(loops);
    },
  };
}
