import { fromJson, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import type { Context } from "hono";
import { MiniodbError } from "@miniodb/core";

/** Parses the request body as JSON; invalid_argument for anything else. */
export async function readJsonBody(context: Context): Promise<unknown> {
  return parseJsonText(await context.req.text());
}

/** Parses a request body's text as JSON; invalid_argument for anything else. */
export function parseJsonText(text: string): unknown {
  if (text.trim() === "")
    throw new MiniodbError("invalid_argument", "the request body is empty: expected JSON");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new MiniodbError(
      "invalid_argument",
      `the request body is not valid JSON: ${(error as Error).message}`,
    );
  }
}

/**
 * Reads a JSON object into a protobuf message with the proto3 JSON rules: snake_case and
 * camelCase keys both work, timestamps are RFC 3339, unknown keys are an error (they are usually
 * typos).
 */
export function messageFromJson<Desc extends DescMessage>(schema: Desc, json: unknown): MessageShape<Desc> {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new MiniodbError("invalid_argument", "the request body must be a JSON object");
  }
  try {
    return fromJson(schema, json as never);
  } catch (error) {
    throw new MiniodbError("invalid_argument", `invalid request: ${(error as Error).message}`);
  }
}
