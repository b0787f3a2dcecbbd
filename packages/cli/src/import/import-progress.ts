import { Presets, SingleBar } from "cli-progress";

export interface ImportProgress {
  readonly update: (progress: number, records: number) => void;
  readonly stop: () => void;
}

/**
 * A progress bar on `stream` when it is a terminal and the input size is known; otherwise nothing
 * (the import prints a summary line at the end either way).
 */
export function createImportProgress(
  stream: NodeJS.WriteStream | undefined,
  total: number | undefined,
): ImportProgress {
  if (!stream?.isTTY || total === undefined || total === 0)
    return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar(
    {
      stream,
      format: "importing {bar} {percentage}% | {records} records | {duration_formatted}",
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0, { records: 0 });
  return {
    update: (progress, records) => bar.update(Math.min(progress, total), { records }),
    stop: () => bar.stop(),
  };
}
