/**
 * Mapping between the pipeline's `ImageFields` and the typed columns of `custom_images` /
 * `custom_image_versions`. Pure: both directions are plain object transforms.
 */
import type { customImages } from '../db/schema.js';
import type { ImageFields } from './types.js';

type ImageRow = typeof customImages.$inferSelect;
export type ImageColumns = Pick<ImageRow, keyof ImageFields>;

export function fieldsToColumns(f: ImageFields): ImageColumns {
  return {
    ...f,
    creationTime: f.creationTime === null ? null : new Date(f.creationTime),
    userId: f.userId === null ? null : BigInt(f.userId),
  };
}

export function columnsToFields(row: ImageColumns): ImageFields {
  return {
    regionId: row.regionId,
    name: row.name,
    description: row.description,
    status: row.status,
    osType: row.osType,
    creationTime: row.creationTime === null ? null : toDate(row.creationTime).toISOString(),
    instanceId: row.instanceId,
    instanceName: row.instanceName,
    systemSnapshotId: row.systemSnapshotId,
    systemSnapshotName: row.systemSnapshotName,
    dataSnapshotId: row.dataSnapshotId,
    dataSnapshotName: row.dataSnapshotName,
    requiredSystemDiskSize: row.requiredSystemDiskSize,
    requiredDataDiskSize: row.requiredDataDiskSize,
    sourceImageName: row.sourceImageName,
    sourceImageVersion: row.sourceImageVersion,
    resourceGroupId: row.resourceGroupId,
    inShare: row.inShare,
    inShareUser: row.inShareUser,
    userId: row.userId === null ? null : String(row.userId),
    createInstances: row.createInstances,
  };
}

// PGlite and postgres.js both return Date for timestamptz through drizzle, but be lenient.
const toDate = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));
