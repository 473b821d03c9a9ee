/**
 * One image for the console's image page: every stored field (swas.images_all), and each
 * distinct state it was observed in (swas.image_versions), oldest first. Pure.
 */
import { sql, type SQL } from 'drizzle-orm';
import { isoText, textIn, whereAll } from './fragments.js';

const FIELDS = (alias: string) => sql.raw(`${alias}.account as "account", ${alias}.region_id as "regionId", ${alias}.image_id as "imageId",
  ${alias}.name as "name", ${alias}.description as "description", ${alias}.status_label as "status", ${alias}.status as "statusCode",
  ${alias}.os_type as "osType", ${alias}.instance_id as "instanceId", ${alias}.instance_name as "instanceName",
  ${alias}.system_snapshot_id as "systemSnapshotId", ${alias}.system_snapshot_name as "systemSnapshotName",
  ${alias}.data_snapshot_id as "dataSnapshotId", ${alias}.data_snapshot_name as "dataSnapshotName",
  ${alias}.required_system_disk_size as "systemDiskGb", ${alias}.required_data_disk_size as "dataDiskGb",
  ${alias}.source_image_name as "sourceImageName", ${alias}.source_image_version as "sourceImageVersion",
  ${alias}.resource_group_id as "resourceGroupId", ${alias}.in_share as "inShare", ${alias}.in_share_user as "inShareUser",
  ${alias}.create_instances as "createInstances", ${alias}.tags as "tags"`);

/** The image's rows (one per account holding the id; `accounts` narrows it). */
export function buildImageDetailQuery(imageId: string, accounts?: readonly string[]): SQL {
  return sql`select ${FIELDS('i')}, ${isoText(sql`i.creation_time`)} as "creationTime",
  ${isoText(sql`i.first_seen_at`)} as "firstSeenAt", ${isoText(sql`i.changed_at`)} as "changedAt", ${isoText(sql`i.deleted_at`)} as "deletedAt"
from swas.images_all as i
${whereAll([sql`i.image_id = ${imageId}::text`, textIn(sql`i.account`, accounts)])}
order by i.account`;
}

/** Every version of one image, oldest first: what the status band and the diff are drawn from. */
export function buildImageVersionsQuery(account: string, imageId: string): SQL {
  return sql`select v.version_id::text as "versionId", ${FIELDS('v')}, ${isoText(sql`v.creation_time`)} as "creationTime",
  ${isoText(sql`v.valid_from`)} as "validFrom", ${isoText(sql`v.valid_to`)} as "validTo", v.sync_run_id::text as "syncRunId"
from swas.image_versions as v
where v.account = ${account}::text and v.image_id = ${imageId}::text
order by v.valid_from, v.version_id`;
}
