import { pino, type Logger } from "pino";
import { currentRequest } from "./request-context.js";
import { turnBufferedDestination } from "./turn-buffered-destination.js";

export interface NodeLoggerOptions {
  readonly level: string;
  readonly nodeId: string;
  /** Also append every line to this file (its directory is created). */
  readonly file?: string | undefined;
}

/** Keys whose values are never logged, at any depth up to five levels into a logged object. */
export const SECRET_KEYS = [
  "password",
  "sentinel_password",
  "secret_access_key",
  "secretAccessKey",
  "access_key_id",
  "accessKeyId",
  "session_token",
  "sessionToken",
  "token",
  "access_token",
  "refresh_token",
  "api_secret",
  "jwt_secret",
  "secret",
  "authorization",
  "cookie",
  '["x-api-key"]',
];

/** pino redact paths: each secret key at the top level and under one to four levels of nesting. */
export const REDACTED_PATHS = SECRET_KEYS.flatMap((key) =>
  [0, 1, 2, 3, 4].map((depth) => {
    const prefix = "*.".repeat(depth);
    return key.startsWith("[")
      ? depth === 0
        ? key.slice(2, -2)
        : `${prefix.slice(0, -1)}${key}`
      : prefix + key;
  }),
);

/**
 * The node's structured JSON logger: one JSON object per line on stdout (and in `file`), every
 * line logged while serving a request carries its `request_id`, secrets are redacted. The lines of
 * one turn of the event loop are written together at its end (see turnBufferedDestination).
 */
export function createNodeLogger({ level, nodeId, file }: NodeLoggerOptions): Logger {
  const options = {
    level,
    base: { node_id: nodeId },
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    // Level names, as `grep ERROR logs/miniodb.log` expects.
    formatters: { level: (label: string) => ({ level: label.toUpperCase() }) },
    mixin: () => {
      const request = currentRequest();
      return request ? { request_id: request.id } : {};
    },
  };
  const targets = file === undefined ? [{ dest: 1 }] : [{ dest: 1 }, { dest: file, mkdir: true }];
  return pino(options, turnBufferedDestination(targets));
}
