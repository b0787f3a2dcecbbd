import { performance, type EventLoopUtilization } from "node:perf_hooks";

/** Memory of the process by what holds it, in bytes. */
export interface MemoryUsage {
  readonly rss: number;
  readonly heap_used: number;
  readonly heap_total: number;
  readonly external: number;
  readonly array_buffers: number;
}

export function memoryUsage(): MemoryUsage {
  const usage = process.memoryUsage();
  return {
    rss: usage.rss,
    heap_used: usage.heapUsed,
    heap_total: usage.heapTotal,
    external: usage.external,
    array_buffers: usage.arrayBuffers,
  };
}

/** CPU use between two calls of `sample`. */
export interface CpuUsage {
  /** User + system CPU time of every thread of the process (DuckDB's included) / wall time, in %. */
  readonly process: number;
  /** Share of wall time the JavaScript event loop was busy, in %. */
  readonly event_loop: number;
}

/** Measures CPU use since the previous sample (the first one: since the sampler was built). */
export class CpuSampler {
  #cpu = process.cpuUsage();
  #at = performance.now();
  #loop: EventLoopUtilization = performance.eventLoopUtilization();
  #last: CpuUsage = { process: 0, event_loop: 0 };

  sample(): CpuUsage {
    const now = performance.now();
    const elapsedMs = now - this.#at;
    if (elapsedMs < 100) return this.#last;
    const cpu = process.cpuUsage(this.#cpu);
    const loop = performance.eventLoopUtilization(this.#loop);
    this.#cpu = process.cpuUsage();
    this.#loop = performance.eventLoopUtilization();
    this.#at = now;
    this.#last = {
      process: round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 100),
      event_loop: round(loop.utilization * 100),
    };
    return this.#last;
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
