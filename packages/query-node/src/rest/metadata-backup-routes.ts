import type { Hono } from "hono";
import { MiniodbError } from "@miniodb/core";
import { BackupMetadataRequestSchema, RestoreMetadataRequestSchema } from "@miniodb/proto";
import { formatDuration, restoreDetails, type LifecycleApi } from "../lifecycle/lifecycle-api.js";
import { optionalJsonBody } from "./lifecycle-routes.js";
import { messageFromJson, readJsonBody } from "./rest-body.js";

/**
 * The original's metadata routes: `POST /v1/metadata/backup` `{force}`, `POST /v1/metadata/restore`
 * (RestoreMetadataRequest fields), `GET /v1/metadata/backups?days=7`, `GET /v1/metadata/status`.
 */
export function addMetadataBackupRoutes(app: Hono, api: LifecycleApi | undefined): void {
  if (!api) return;
  app.post("/v1/metadata/backup", async (context) => {
    const request = messageFromJson(BackupMetadataRequestSchema, await optionalJsonBody(context));
    const outcome = await api.backups.backup(request.force);
    return context.json({
      success: true,
      message: `backup ${outcome.backup_id} stored (${outcome.tables} tables, ${outcome.files} files)`,
      backup_id: outcome.backup_id,
      timestamp: outcome.created_at,
      object_name: `${outcome.backup_id}.json`,
      size: outcome.size_bytes,
    });
  });
  app.post("/v1/metadata/restore", async (context) => {
    const request = messageFromJson(RestoreMetadataRequestSchema, await readJsonBody(context));
    const outcome = await api.restores.restore(request);
    return context.json({
      success: outcome.success,
      message: outcome.message,
      backup_file: outcome.backupFile,
      entries_total: outcome.total,
      entries_ok: outcome.ok,
      entries_skipped: outcome.skipped,
      entries_error: outcome.error,
      duration: formatDuration(outcome.durationMs),
      errors: outcome.errors,
      details: restoreDetails(outcome, request.dryRun),
    });
  });
  app.get("/v1/metadata/backups", async (context) => {
    const daysText = context.req.query("days") ?? "7";
    const days = Number(daysText);
    if (!Number.isInteger(days))
      throw new MiniodbError("invalid_argument", `days must be an integer, got ${JSON.stringify(daysText)}`, {
        details: { field: "days" },
      });
    const backups = await api.backups.list(days);
    return context.json({
      backups: backups.map((backup) => ({
        object_name: `${backup.id}.json`,
        node_id: backup.nodeId,
        timestamp: backup.lastModified.toISOString(),
        size: backup.size,
        last_modified: backup.lastModified.toISOString(),
      })),
      total: backups.length,
    });
  });
  app.get("/v1/metadata/status", async (context) => {
    const status = await api.backups.status();
    return context.json({
      node_id: status.nodeId,
      backup_status: status.details,
      last_backup: status.lastBackup?.toISOString() ?? null,
      next_backup: status.nextBackup?.toISOString() ?? null,
      health_status: status.health,
    });
  });
}
