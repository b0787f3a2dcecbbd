import { createReadStream, readFileSync, statSync } from "node:fs";
import { text } from "node:stream/consumers";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { parse, type CsvError } from "csv-parse";

export const INPUT_FORMATS = ["json", "ndjson", "csv"] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

/** One input record or one input problem, with where it is in the input. */
export interface SourceItem {
  /** 1-based line (NDJSON, CSV) or array element (JSON) number. */
  readonly location: number;
  readonly value?: unknown;
  readonly error?: string;
  /** How far the input has been read, in `RecordSource.total` units. */
  readonly progress: number;
}

export interface RecordSource {
  /** What `location` counts. */
  readonly unit: "line" | "element";
  /** Bytes (NDJSON, CSV) or elements (JSON) in all, when known (not for stdin). */
  readonly total: number | undefined;
  readonly items: AsyncIterable<SourceItem>;
}

/** The format a file name implies: .json, .ndjson/.jsonl, .csv; undefined for anything else. */
export function formatOfFileName(file: string): InputFormat | undefined {
  const extension = /\.([a-z]+)$/i.exec(file)?.[1]?.toLowerCase();
  if (extension === "json") return "json";
  if (extension === "ndjson" || extension === "jsonl") return "ndjson";
  if (extension === "csv") return "csv";
  return undefined;
}

/** Opens `file` ("-" is stdin) as records of `format`. */
export async function openRecordSource(file: string, format: InputFormat): Promise<RecordSource> {
  const isStdin = file === "-";
  const open = (): Readable => (isStdin ? process.stdin : createReadStream(file));
  const size = isStdin ? undefined : statSync(file).size;
  switch (format) {
    case "ndjson":
      return { unit: "line", total: size, items: ndjsonItems(open()) };
    case "csv":
      return { unit: "line", total: size, items: csvItems(open()) };
    case "json":
      return jsonArraySource(isStdin ? await text(process.stdin) : readFileSync(file, "utf8"));
  }
}

async function* ndjsonItems(input: Readable): AsyncGenerator<SourceItem> {
  let location = 0;
  let progress = 0;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    location++;
    progress += Buffer.byteLength(line) + 1;
    if (line.trim() === "") continue;
    try {
      yield { location, value: JSON.parse(line), progress };
    } catch (error) {
      yield { location, error: `not JSON: ${(error as Error).message}`, progress };
    }
  }
}

/**
 * CSV with a header line naming the columns. Numbers and booleans in cells become JSON numbers and
 * booleans; a row with the wrong number of cells is reported and skipped.
 */
async function* csvItems(input: Readable): AsyncGenerator<SourceItem> {
  const skipped: SourceItem[] = [];
  let progress = 0;
  const parser = input.pipe(
    parse({
      columns: true,
      bom: true,
      skip_empty_lines: true,
      cast: (value, context) => (context.header || context.quoting ? value : castCell(value)),
      info: true,
      skip_records_with_error: true,
      on_skip: (error: CsvError | undefined) => {
        if (!error) return;
        const lines = typeof error["lines"] === "number" ? error["lines"] : 0;
        skipped.push({ location: lines, error: error.message, progress });
      },
    }),
  );
  for await (const { record, info } of parser as AsyncIterable<{
    record: Record<string, unknown>;
    info: { lines: number; bytes: number };
  }>) {
    progress = info.bytes;
    yield* skipped.splice(0);
    yield { location: info.lines, value: record, progress };
  }
  yield* skipped.splice(0);
}

function castCell(value: string): unknown {
  if (value === "") return null;
  if (value === "true" || value === "false") return value === "true";
  if (/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(value)) {
    const number = Number(value);
    if (Number.isSafeInteger(number) || !Number.isInteger(number)) return number;
  }
  return value;
}

function jsonArraySource(content: string): RecordSource {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch (error) {
    throw new InputError(`not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new InputError("a .json file must hold an array of records");
  const elements: unknown[] = parsed;
  return {
    unit: "element",
    total: elements.length,
    items: (async function* () {
      for (const [index, value] of elements.entries())
        yield { location: index + 1, value, progress: index + 1 };
    })(),
  };
}

/** The input as a whole cannot be read. */
export class InputError extends Error {
  override readonly name = "InputError";
}
