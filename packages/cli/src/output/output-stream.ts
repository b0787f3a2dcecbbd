import { once } from "node:events";
import type { Writable } from "node:stream";

/** Writes `text`, waiting for the stream to drain when its buffer is full (piping into `head` etc.). */
export async function writeText(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, "drain");
}
