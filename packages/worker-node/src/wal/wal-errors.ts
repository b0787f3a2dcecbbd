import { MiniodbError } from "@miniodb/core";

/**
 * The one place where the write-ahead log turns file-system errors into MiniodbErrors.
 *
 * A full disk (or quota) is `resource_exhausted`; every other I/O failure is `unavailable`: the
 * log cannot serve until an operator looks at the disk and the log is reopened. The original
 * error is kept as `cause`, and `details` name the file and the operation.
 */
export function walFileError(error: unknown, action: string, path: string): MiniodbError {
  if (error instanceof MiniodbError) return error;
  const errno = (error as NodeJS.ErrnoException | undefined)?.code ?? "unknown";
  const details = { path, action, errno };
  if (errno === "ENOSPC" || errno === "EDQUOT") {
    return new MiniodbError("resource_exhausted", `write-ahead log: no space left to ${action} ${path}`, {
      cause: error,
      details,
    });
  }
  return new MiniodbError("unavailable", `write-ahead log: cannot ${action} ${path} (${errno})`, {
    cause: error,
    details,
  });
}

/** Stored log data that is damaged or missing: never dropped silently. */
export function walDataLoss(path: string, offset: number, problem: string): MiniodbError {
  return new MiniodbError("data_loss", `write-ahead log ${path} at byte ${offset}: ${problem}`, {
    details: { path, offset: String(offset) },
  });
}

/** Why appends are refused after a failed write or fsync: the file's state is unknown. */
export function walFailedError(failure: MiniodbError): MiniodbError {
  return new MiniodbError(
    "unavailable",
    `write-ahead log refuses appends after an earlier failure until it is reopened: ${failure.message}`,
    { cause: failure, details: failure.details },
  );
}

/** Appends after `close()`. */
export function walClosedError(directory: string): MiniodbError {
  return new MiniodbError("failed_precondition", `write-ahead log ${directory} is closed`, {
    details: { path: directory },
  });
}

/** Runs one file-system operation of the log, translating its failure. */
export async function walIo<T>(action: string, path: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw walFileError(error, action, path);
  }
}
