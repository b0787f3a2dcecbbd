import { pino, type Logger } from "pino";
import { currentRequest } from "./request-context.js";

export interface NodeLoggerOptions {
  readonly level: string;
  readonly nodeId: string;
  /** Also append every line to this file (its directory is created). */
  readonly file?: string | undefined;
}

/**
 * Values under these paths are replaced by "[redacted]" wherever they appear in a log line:
 * passwords, keys, tokens and secrets of any configuration block or request header.
 */
export const REDACTED_PATHS = [
  "password",
  "*.password",
  "*.*.password",
  "*.sentinel_password",
  "*.*.sentinel_password",
  "secret_access_key",
  "*.secret_access_key",
  "*.*.secret_access_key",
  "*.secretAccessKey",
  "*.*.secretAccessKey",
  "*.accessKeyId",
  "*.*.accessKeyId",
  "access_key_id",
  "*.access_key_id",
  "*.*.access_key_id",
  "token",
  "*.token",
  "api_secret",
  "*.api_secret",
  "jwt_secret",
  "*.jwt_secret",
  "*.*.jwt_secret",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  'headers["x-api-key"]',
];

/**
 * The node's structured JSON logger: one JSON object per line on stdout (and in `file`), every
 * line logged while serving a request carries its `request_id`, secrets are redacted.
 */
export function createNodeLogger({ level, nodeId, file }: NodeLoggerOptions): Logger {
  const options = {
    level,
    base: { node_id: nodeId },
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    mixin: () => {
      const request = currentRequest();
      return request ? { request_id: request.id } : {};
    },
  };
  if (file === undefined) return pino(options);
  const streams = pino.multistream([
    { level: "trace", stream: pino.destination({ dest: 1, sync: true }) },
    { level: "trace", stream: pino.destination({ dest: file, mkdir: true, sync: true }) },
  ]);
  return pino(options, streams);
}
