import { MiniodbError } from "@miniodb/core";

/** Maps file-system errors of the local store to MiniodbError codes, keeping the cause. */
export function fromFileSystemError(error: unknown, key: string): MiniodbError {
  if (error instanceof MiniodbError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT":
      return new MiniodbError("not_found", `object ${key} does not exist`, { cause: error });
    case "ENOSPC":
    case "EDQUOT":
      return new MiniodbError("resource_exhausted", `no space left to store ${key}`, { cause: error });
    case "EACCES":
    case "EPERM":
    case "EROFS":
    case "EIO":
    case "EMFILE":
      return new MiniodbError("unavailable", `object store cannot access ${key}: ${code}`, { cause: error });
    default:
      return MiniodbError.from(error);
  }
}
