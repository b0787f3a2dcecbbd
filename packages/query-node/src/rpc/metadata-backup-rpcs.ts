import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  BackupMetadataResponseSchema,
  GetMetadataStatusResponseSchema,
  ListBackupsResponseSchema,
  RestoreMetadataResponseSchema,
  type BackupMetadataRequest,
  type ListBackupsRequest,
  type RestoreMetadataRequest,
} from "@miniodb/proto";
import { formatDuration, restoreDetails, type LifecycleApi } from "../lifecycle/lifecycle-api.js";

/** BackupMetadata, RestoreMetadata, ListBackups and GetMetadataStatus. */
export function createMetadataBackupRpcs(api: LifecycleApi | undefined) {
  if (!api) return {};
  return {
    async backupMetadata(request: BackupMetadataRequest) {
      const outcome = await api.backups.backup(request.force);
      return create(BackupMetadataResponseSchema, {
        success: true,
        message: `backup ${outcome.backup_id} stored (${outcome.tables} tables, ${outcome.files} files)`,
        backupId: outcome.backup_id,
        timestamp: timestampFromDate(new Date(outcome.created_at)),
      });
    },
    async restoreMetadata(request: RestoreMetadataRequest) {
      const outcome = await api.restores.restore(request);
      return create(RestoreMetadataResponseSchema, {
        success: outcome.success,
        message: outcome.message,
        backupFile: outcome.backupFile,
        entriesTotal: outcome.total,
        entriesOk: outcome.ok,
        entriesSkipped: outcome.skipped,
        entriesError: outcome.error,
        duration: formatDuration(outcome.durationMs),
        errors: [...outcome.errors],
        details: restoreDetails(outcome, request.dryRun),
      });
    },
    async listBackups(request: ListBackupsRequest) {
      const backups = await api.backups.list(request.days);
      return create(ListBackupsResponseSchema, {
        backups: backups.map((backup) => ({
          objectName: `${backup.id}.json`,
          nodeId: backup.nodeId,
          timestamp: timestampFromDate(backup.lastModified),
          size: BigInt(backup.size),
          lastModified: timestampFromDate(backup.lastModified),
        })),
        total: backups.length,
      });
    },
    async getMetadataStatus() {
      const status = await api.backups.status();
      return create(GetMetadataStatusResponseSchema, {
        nodeId: status.nodeId,
        backupStatus: status.details,
        ...(status.lastBackup ? { lastBackup: timestampFromDate(status.lastBackup) } : {}),
        ...(status.nextBackup ? { nextBackup: timestampFromDate(status.nextBackup) } : {}),
        healthStatus: status.health,
      });
    },
  };
}
