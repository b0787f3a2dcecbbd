import { Code, ConnectError } from "@connectrpc/connect";
import { MiniodbError } from "@miniodb/core";
import { UsageError } from "./connection-options.js";
import { InputError } from "./import/record-sources.js";

/** The message and exit status for an error that ended a command. */
export function describeFailure(error: unknown): { message: string; exitCode: number } {
  if (error instanceof ConnectError)
    return { message: `${codeName(error.code)}: ${error.rawMessage}`, exitCode: 1 };
  if (error instanceof UsageError) return { message: error.message, exitCode: 2 };
  if (error instanceof InputError) return { message: error.message, exitCode: 1 };
  if (error instanceof MiniodbError) {
    const isConfigError = ["invalid_argument", "failed_precondition"].includes(error.code);
    return { message: error.message, exitCode: isConfigError ? 2 : 1 };
  }
  if (isSystemError(error)) return { message: error.message, exitCode: 1 };
  return { message: error instanceof Error ? (error.stack ?? error.message) : String(error), exitCode: 1 };
}

/** "not_found", "invalid_argument", … as gRPC spells them. */
function codeName(code: Code): string {
  return Code[code].replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
}

/** A failed system call (file not found, connection refused, …): its message says it all. */
function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === "string";
}
