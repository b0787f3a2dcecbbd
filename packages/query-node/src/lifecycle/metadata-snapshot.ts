import { createHash } from "node:crypto";
import { z } from "zod";
import {
  MiniodbError,
  normalizeTableConfig,
  type BackupEntry,
  type DataFile,
  type MetadataStore,
  type SchemaEntry,
  type TableConfig,
  type TableEntry,
  type Tombstone,
} from "@miniodb/core";

/** One table as a snapshot holds it. */
export interface TableSnapshot {
  readonly entry: TableEntry;
  readonly lastWrite: Date | undefined;
  readonly schemas: readonly SchemaEntry[];
  readonly manifestVersion: number;
  readonly files: readonly DataFile[];
  readonly tombstones: readonly Tombstone[];
}

/** Everything a metadata backup holds: tables and backup records (no nodes, leases, idempotency). */
export interface MetadataSnapshot {
  readonly backupId: string;
  readonly nodeId: string;
  readonly createdAt: Date;
  readonly tables: readonly TableSnapshot[];
  readonly backups: readonly BackupEntry[];
}

const FORMAT = "miniodb-metadata-snapshot";
const VERSION = 1;

/**
 * Reads a snapshot of the store. Per table the manifest is read before the tombstones (a tombstone
 * newer than the manifest only hides rows that were deleted) and before the schemas (files never
 * name a schema version the snapshot lacks). Tables deleted while the snapshot runs are left out.
 */
export async function takeSnapshot(
  metadata: MetadataStore,
  header: { backupId: string; nodeId: string; createdAt: Date },
): Promise<MetadataSnapshot> {
  const tables: TableSnapshot[] = [];
  for (const entry of await metadata.listTables()) {
    try {
      const manifest = await metadata.getManifest(entry.name);
      const tombstones = await metadata.listTombstones(entry.name);
      const schemas = await metadata.listSchemas(entry.name);
      const lastWrite = await metadata.getLastWrite(entry.name);
      tables.push({
        entry,
        lastWrite,
        schemas,
        manifestVersion: manifest.version,
        files: manifest.files,
        tombstones,
      });
    } catch (error) {
      if (!MiniodbError.is(error, "not_found")) throw error;
    }
  }
  const backups = await metadata.listBackups(new Date(0));
  return { ...header, tables, backups };
}

/** The snapshot as the JSON document stored in a backup object, with a checksum of its body. */
export function encodeSnapshot(snapshot: MetadataSnapshot): Uint8Array {
  const body = {
    tables: snapshot.tables.map((table) => ({
      name: table.entry.name,
      config: table.entry.config,
      created_at: table.entry.createdAt.toISOString(),
      last_write: table.lastWrite?.toISOString() ?? null,
      schemas: table.schemas,
      manifest_version: table.manifestVersion,
      files: table.files.map((file) => ({
        ...file,
        minSequence: file.minSequence.toString(),
        maxSequence: file.maxSequence.toString(),
        createdAt: file.createdAt.toISOString(),
      })),
      tombstones: table.tombstones.map((tombstone) => ({
        id: tombstone.id,
        sequence: tombstone.sequence.toString(),
        soft: tombstone.soft,
        created_at: tombstone.createdAt.toISOString(),
        ...(tombstone.restoreSequence === undefined
          ? {}
          : { restore_sequence: tombstone.restoreSequence.toString() }),
      })),
    })),
    backups: snapshot.backups.map((backup) => ({ ...backup, createdAt: backup.createdAt.toISOString() })),
  };
  const bodyText = JSON.stringify(body);
  const document = {
    format: FORMAT,
    version: VERSION,
    backup_id: snapshot.backupId,
    node_id: snapshot.nodeId,
    created_at: snapshot.createdAt.toISOString(),
    checksum: sha256(bodyText),
    body,
  };
  return Buffer.from(JSON.stringify(document));
}

const date = z.iso.datetime().transform((text) => new Date(text));
const sequence = z
  .string()
  .regex(/^\d{1,20}$/)
  .transform((text) => BigInt(text));
const fileSchema = z.object({
  key: z.string().min(1),
  partition: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  etag: z.string(),
  sizeBytes: z.number().int().min(0),
  rowCount: z.number().int().min(0),
  minTimestamp: z.number(),
  maxTimestamp: z.number(),
  minId: z.string(),
  maxId: z.string(),
  schemaVersion: z.number().int().min(0),
  minSequence: sequence,
  maxSequence: sequence,
  nodeId: z.string(),
  createdAt: date,
});
const documentSchema = z.object({
  format: z.literal(FORMAT),
  version: z.literal(VERSION),
  backup_id: z.string().min(1),
  node_id: z.string(),
  created_at: date,
  checksum: z.string().regex(/^[0-9a-f]{64}$/),
  body: z.object({
    tables: z.array(
      z.object({
        name: z.string().min(1),
        config: z.record(z.string(), z.unknown()),
        created_at: date,
        last_write: date.nullable(),
        schemas: z.array(
          z.object({
            version: z.number().int().min(1),
            columns: z.array(
              z.object({
                name: z.string(),
                type: z.enum(["BOOLEAN", "BIGINT", "DOUBLE", "VARCHAR", "JSON"]),
              }),
            ),
          }),
        ),
        manifest_version: z.number().int().min(0),
        files: z.array(fileSchema),
        tombstones: z.array(
          z.object({
            id: z.string(),
            sequence,
            soft: z.boolean(),
            created_at: date,
            restore_sequence: sequence.optional(),
          }),
        ),
      }),
    ),
    backups: z.array(
      z.object({
        id: z.string(),
        objectKey: z.string(),
        nodeId: z.string(),
        createdAt: date,
        sizeBytes: z.number().int().min(0),
      }),
    ),
  }),
});

/**
 * Parses and checks a stored snapshot: its format, every field, and the checksum of its body.
 * A damaged or foreign document is `data_loss` naming what is wrong.
 */
export function decodeSnapshot(bytes: Uint8Array, name: string): MetadataSnapshot {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch (error) {
    throw corrupt(name, `not JSON (${(error as Error).message})`);
  }
  const parsed = documentSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw corrupt(name, `${issue?.path.join(".") ?? "document"}: ${issue?.message ?? "invalid"}`);
  }
  const document = parsed.data;
  const rawBody = (json as { body: unknown }).body;
  if (sha256(JSON.stringify(rawBody)) !== document.checksum) throw corrupt(name, "checksum mismatch");
  const tables = document.body.tables.map((table): TableSnapshot => {
    let config: TableConfig;
    try {
      config = normalizeTableConfig(table.config as Partial<TableConfig>);
    } catch (error) {
      throw corrupt(name, `table ${table.name}: ${(error as Error).message}`);
    }
    return {
      entry: { name: table.name, config, createdAt: table.created_at },
      lastWrite: table.last_write ?? undefined,
      schemas: table.schemas,
      manifestVersion: table.manifest_version,
      files: table.files,
      tombstones: table.tombstones.map((t) => ({
        id: t.id,
        sequence: t.sequence,
        soft: t.soft,
        createdAt: t.created_at,
        ...(t.restore_sequence === undefined ? {} : { restoreSequence: t.restore_sequence }),
      })),
    };
  });
  return {
    backupId: document.backup_id,
    nodeId: document.node_id,
    createdAt: document.created_at,
    tables,
    backups: document.body.backups,
  };
}

function corrupt(name: string, problem: string): MiniodbError {
  return new MiniodbError("data_loss", `backup ${name} is damaged: ${problem}`, {
    details: { backup_file: name },
  });
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
