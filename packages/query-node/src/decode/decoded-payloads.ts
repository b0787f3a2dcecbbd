import {
  MiniodbError,
  Utf8Payload,
  Utf8Writer,
  type ColumnType,
  type EncodedPayload,
  type ErrorCode,
  type SerializedPayload,
} from "@miniodb/core";

/** The top-level keys and column types a run of payloads shares. */
export interface PayloadShape {
  readonly keys: readonly string[];
  readonly types: ReadonlyArray<ColumnType | undefined>;
}

/** A payload that could not be read, as the error reading it threw. */
export interface PayloadFailure {
  readonly index: number;
  readonly code: ErrorCode;
  readonly message: string;
  readonly details: Readonly<Record<string, string>>;
}

/**
 * Serialized payloads in a form that crosses threads cheaply: payload `i` is the JSON text
 * `utf8[ends[i - 1] ?? 0, ends[i])` (UTF-8) with the keys and types of `shapes[shapeOf[i]]`; a
 * failed one has shape -1 and its error in `failures`, a skipped one shape -1 and no error.
 */
export interface DecodedPayloads {
  readonly utf8: Uint8Array;
  readonly ends: Int32Array;
  readonly shapes: PayloadShape[];
  readonly shapeOf: Int32Array;
  readonly failures: PayloadFailure[];
}

/** Collects `DecodedPayloads` one payload at a time. */
export class DecodedPayloadsBuilder {
  readonly #utf8 = new Utf8Writer();
  readonly #ends: number[] = [];
  readonly #shapes: PayloadShape[] = [];
  readonly #shapeOf: number[] = [];
  readonly #failures: PayloadFailure[] = [];
  #last: PayloadShape | undefined;

  /** Adds `read()`'s payload and returns it, or adds the error it throws and returns undefined. */
  add(read: () => SerializedPayload): SerializedPayload | undefined {
    const index = this.#ends.length;
    let payload: SerializedPayload;
    try {
      payload = read();
    } catch (error) {
      const failure = MiniodbError.from(error);
      this.#failures.push({ index, code: failure.code, message: failure.message, details: failure.details });
      this.skip();
      return undefined;
    }
    this.#appendText(payload);
    // Readers hand out the previous payload's arrays for a payload of the same shape.
    const last = this.#last;
    if (last === undefined || payload.keys !== last.keys || payload.types !== last.types) {
      this.#last = { keys: payload.keys, types: payload.types };
      this.#shapes.push(this.#last);
    }
    this.#shapeOf.push(this.#shapes.length - 1);
    return payload;
  }

  /** Adds a payload left for the writer to read (and reject); undefined, as no payload was read. */
  skip(): undefined {
    this.#ends.push(this.#utf8.length);
    this.#shapeOf.push(-1);
    return undefined;
  }

  build(): DecodedPayloads {
    return {
      // Exactly the bytes written: a view would carry its whole buffer to the other thread.
      utf8: this.#utf8.copy(),
      ends: Int32Array.from(this.#ends),
      shapes: this.#shapes,
      shapeOf: Int32Array.from(this.#shapeOf),
      failures: this.#failures,
    };
  }

  #appendText(payload: SerializedPayload): void {
    if (payload.utf8) this.#utf8.bytes(payload.utf8);
    else this.#utf8.text(payload.json);
    this.#ends.push(this.#utf8.length);
  }
}

/** Payload `i` of `decoded`, or its error; undefined for a skipped one. */
export function payloadOutcomes(
  decoded: DecodedPayloads,
): Array<SerializedPayload | MiniodbError | undefined> {
  const { utf8, ends, shapes, shapeOf } = decoded;
  const outcomes = new Array<SerializedPayload | MiniodbError | undefined>(ends.length);
  for (let i = 0; i < ends.length; i++) {
    const shape = shapes[shapeOf[i]!];
    if (shape !== undefined)
      outcomes[i] = new Utf8Payload(utf8.subarray(ends[i - 1] ?? 0, ends[i]), shape.keys, shape.types);
  }
  for (const failure of decoded.failures)
    outcomes[failure.index] = new MiniodbError(failure.code, failure.message, { details: failure.details });
  return outcomes;
}

/** A payload already read (on another thread): `serialize` answers it, or throws its error. */
export class SettledPayload implements EncodedPayload {
  readonly #outcome: SerializedPayload | MiniodbError;

  constructor(outcome: SerializedPayload | MiniodbError) {
    this.#outcome = outcome;
  }

  serialize(): SerializedPayload {
    if (this.#outcome instanceof MiniodbError) throw this.#outcome;
    return this.#outcome;
  }
}
