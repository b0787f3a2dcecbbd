import { pino, type DestinationStream } from "pino";

/** Lines waiting for the end of the turn that make a target write at once. */
const MAX_WAITING_BYTES = 8 * 1024;
/** Lines written at once with everything before them: the last words of a process about to crash. */
const URGENT_LINE = /^\{"level":"(?:ERROR|FATAL)"/;

type SonicBoom = ReturnType<typeof pino.destination>;

/** Every buffered target, written out when the process exits. */
const open = new Set<SonicBoom>();
let exitHookInstalled = false;

/** Where lines go: a file descriptor (1 for stdout) or a file, appended to. */
export interface LogTarget {
  readonly dest: number | string;
  /** Create the file's directory when missing. */
  readonly mkdir?: boolean;
}

/** A log destination whose lines wait for the end of the event loop's turn (see below). */
export interface TurnBufferedDestination extends DestinationStream {
  /** Writes the waiting lines now (`logger.flush()`). */
  flush(callback?: (error?: Error) => void): void;
  /** The same, synchronously, as `pino.final` and multistreams call it. */
  flushSync(): void;
}

/**
 * A log destination that writes every line to each target, and writes the lines logged during
 * one turn of the event loop together: one synchronous write per target once the turn's work is
 * done (`setImmediate`), or as soon as 8 KiB are waiting, and at exit. A busy node logs an audit
 * line per write call, and a write per line (plus a wake-up of whoever reads the log) was a good
 * share of a small write's cost. An ERROR or FATAL line is written at once, with the lines before
 * it. Lines keep their order; a process that dies without exiting (SIGKILL, a native crash, an
 * unhandled signal) loses the INFO and WARN lines of the turn it was in, never more.
 */
export function turnBufferedDestination(targets: readonly LogTarget[]): TurnBufferedDestination {
  const sonics = targets.map((target) =>
    pino.destination({ ...target, sync: true, minLength: MAX_WAITING_BYTES }),
  );
  for (const sonic of sonics) open.add(sonic);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const sonic of open) writeWaiting(sonic);
    });
  }
  let scheduled = false;
  const writeAll = () => {
    scheduled = false;
    for (const sonic of sonics) writeWaiting(sonic);
  };
  return {
    write(line: string) {
      for (const sonic of sonics) sonic.write(line);
      if (URGENT_LINE.test(line)) return writeAll();
      if (!scheduled) {
        scheduled = true;
        setImmediate(writeAll);
      }
    },
    flush(callback) {
      writeAll();
      callback?.();
    },
    flushSync: writeAll,
  };
}

/** Writes what is waiting, synchronously (a sync SonicBoom with a minimum length writes on flush). */
function writeWaiting(sonic: SonicBoom): void {
  sonic.flush();
}
