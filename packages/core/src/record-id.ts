import { MiniodbError } from "./miniodb-error.js";

/** Every id: letters, digits, `_` and `-`, 1 to 255 characters (the original's rule). */
export const RECORD_ID_PATTERN = /^[A-Za-z0-9_-]+$/;
export const RECORD_ID_MAX_LENGTH = 255;

/** A table's own id rules (TableConfig.id_validation). They only tighten the global rule. */
export interface IdValidationRules {
  /** Maximum length; 0 or absent means the global 255. */
  readonly maxLength?: number;
  /** A regular expression the whole id must match; empty or absent means none. */
  readonly pattern?: string;
  /** Every character of the id must be one of these; empty or absent means any allowed one. */
  readonly allowedChars?: string;
}

/** Checks ids against the global rule plus one table's rules. Build once per table config. */
export class RecordIdValidator {
  readonly #maxLength: number;
  readonly #pattern: RegExp | undefined;
  readonly #patternSource: string;
  readonly #allowedChars: ReadonlySet<string> | undefined;

  constructor(rules: IdValidationRules = {}) {
    const maxLength = rules.maxLength ?? 0;
    if (!Number.isInteger(maxLength) || maxLength < 0) {
      throw invalidRules(`max_length must be a non-negative integer, got ${maxLength}`);
    }
    this.#maxLength = maxLength === 0 ? RECORD_ID_MAX_LENGTH : Math.min(maxLength, RECORD_ID_MAX_LENGTH);
    this.#pattern = rules.pattern ? compilePattern(rules.pattern) : undefined;
    this.#patternSource = rules.pattern ?? "";
    this.#allowedChars = rules.allowedChars ? new Set(rules.allowedChars) : undefined;
  }

  /** Throws invalid_argument naming the broken rule when `id` is not acceptable. */
  validate(id: string): void {
    const problem = this.problemWith(id);
    if (problem !== undefined) {
      const shown = JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id);
      throw new MiniodbError("invalid_argument", `invalid id ${shown}: ${problem}`, {
        details: { field: "id" },
      });
    }
  }

  /** Returns why `id` is not acceptable, or undefined when it is. */
  problemWith(id: string): string | undefined {
    if (id.length === 0) return "an id is required";
    if (id.length > this.#maxLength) return `it is longer than ${this.#maxLength} characters`;
    if (!RECORD_ID_PATTERN.test(id)) {
      return "it may contain only letters, digits, '_' and '-'";
    }
    if (this.#allowedChars) {
      for (const char of id) {
        if (!this.#allowedChars.has(char)) return `character ${JSON.stringify(char)} is not allowed`;
      }
    }
    if (this.#pattern && !this.#pattern.test(id)) {
      return `it does not match the table's pattern ${this.#patternSource}`;
    }
    return undefined;
  }
}

/** Compiles a table's id pattern, anchored so it must match the whole id. */
function compilePattern(pattern: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`, "u");
  } catch (error) {
    throw invalidRules(`pattern ${JSON.stringify(pattern)} is not a valid regular expression`, error);
  }
}

function invalidRules(message: string, cause?: unknown): MiniodbError {
  return new MiniodbError("invalid_argument", `invalid id_validation: ${message}`, {
    cause,
    details: { field: "config.id_validation" },
  });
}
