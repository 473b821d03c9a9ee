import type { StoredImage } from './image-store.js';
import type { ListCustomImagesQuery } from './list-custom-images-params.js';

/** One item of `CustomImages`, in the key order and JSON types of the API page's example. */
export interface WireCustomImage {
  CreationTime: string;
  DataSnapshotName: string;
  SystemSnapshotId: string;
  InShare: boolean;
  InShareUser: boolean;
  InstanceId: string;
  DataSnapshotId: string;
  RegionId: string;
  SystemSnapshotName: string;
  Description: string;
  Name: string;
  ImageId: string;
  Status: string;
  Tags: Array<{ Key: string; Value: string }>;
  InstanceName: string;
  ResourceGroupId: string;
  CreateInstances: string[];
  UserId: number;
  OsType: string;
  RequiredSystemDiskSize: number;
  RequiredDataDiskSize: number;
  SourceImageName: string;
  SourceImageVersion: string;
}

export interface ListCustomImagesBody {
  RequestId: string;
  CustomImages: WireCustomImage[];
  TotalCount: string;
  PageSize: string;
  PageNumber: string;
}

export function toWireImage(image: StoredImage): WireCustomImage {
  return {
    CreationTime: image.creationTime,
    DataSnapshotName: image.dataSnapshotName,
    SystemSnapshotId: image.systemSnapshotId,
    InShare: image.inShare,
    InShareUser: image.sharedWith.length > 0,
    InstanceId: image.instanceId,
    DataSnapshotId: image.dataSnapshotId,
    RegionId: image.regionId,
    SystemSnapshotName: image.systemSnapshotName,
    Description: image.description,
    Name: image.name,
    ImageId: image.imageId,
    Status: image.status,
    Tags: image.tags.map((t) => ({ Key: t.key, Value: t.value })),
    InstanceName: image.instanceName,
    ResourceGroupId: image.resourceGroupId,
    CreateInstances: [...image.createInstances],
    // Safe: seed validation keeps account UIDs below 2^53.
    UserId: Number(image.ownerUid),
    OsType: image.osType,
    RequiredSystemDiskSize: image.requiredSystemDiskSize,
    RequiredDataDiskSize: image.requiredDataDiskSize,
    SourceImageName: image.sourceImageName,
    SourceImageVersion: image.sourceImageVersion,
  };
}

/** Filters AND together; within ImageIds / ImageNames any listed value matches. */
export function matchesQuery(image: StoredImage, query: ListCustomImagesQuery): boolean {
  if (query.imageIds && !query.imageIds.includes(image.imageId)) return false;
  if (query.imageNames && !query.imageNames.includes(image.name)) return false;
  if (query.resourceGroupId !== undefined && image.resourceGroupId !== query.resourceGroupId) return false;
  if (query.instanceId !== undefined && image.instanceId !== query.instanceId) return false;
  if (query.systemSnapshotId !== undefined && image.systemSnapshotId !== query.systemSnapshotId) return false;
  if (query.dataSnapshotId !== undefined && image.dataSnapshotId !== query.dataSnapshotId) return false;
  for (const tag of query.tags) {
    // A tag filter without a Value matches any value of that key.
    if (!image.tags.some((t) => t.key === tag.key && (tag.value === undefined || t.value === tag.value))) return false;
  }
  return true;
}

/**
 * One page of an already ordered listing. A page past the end is empty but keeps the real
 * TotalCount (UNVERIFIED in the reference; the emulator's stated default).
 */
export function pageOfImages(
  visible: readonly StoredImage[],
  query: ListCustomImagesQuery,
): { total: number; items: StoredImage[] } {
  const unfiltered = query.imageIds === undefined && query.imageNames === undefined && query.tags.length === 0
    && query.resourceGroupId === undefined && query.instanceId === undefined
    && query.systemSnapshotId === undefined && query.dataSnapshotId === undefined;
  // The common sync call has no filter: slice the cached listing instead of copying it.
  const matching = unfiltered ? visible : visible.filter((img) => matchesQuery(img, query));
  const start = (query.pageNumber - 1) * query.pageSize;
  return { total: matching.length, items: matching.slice(start, start + query.pageSize) };
}

// Items are immutable (updates replace the object), so each one's UTF-8 JSON can be cached by
// identity. The hot path then concatenates bytes: building a 70 KB string with Chinese names
// and encoding it costs milliseconds (V8's UTF-16 path), copying cached bytes costs microseconds.
const itemBytes = new WeakMap<StoredImage, Buffer>();
const COMMA = Buffer.from(',');

function wireBytes(image: StoredImage): Buffer {
  let bytes = itemBytes.get(image);
  if (bytes === undefined) {
    bytes = Buffer.from(JSON.stringify(toWireImage(image)), 'utf8');
    itemBytes.set(image, bytes);
  }
  return bytes;
}

/** The same bytes as JSON.stringify(listCustomImagesBody(...)), UTF-8, from cached items. */
export function listCustomImagesBytes(
  requestId: string,
  query: ListCustomImagesQuery,
  page: { total: number; items: readonly StoredImage[] },
): Buffer {
  const parts: Buffer[] = [Buffer.from(`{"RequestId":${JSON.stringify(requestId)},"CustomImages":[`)];
  page.items.forEach((item, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(wireBytes(item));
  });
  parts.push(Buffer.from(`],"TotalCount":"${page.total}","PageSize":"${query.pageSize}","PageNumber":"${query.pageNumber}"}`));
  return Buffer.concat(parts);
}

export function listCustomImagesBody(
  requestId: string,
  query: ListCustomImagesQuery,
  page: { total: number; items: readonly StoredImage[] },
): ListCustomImagesBody {
  return {
    RequestId: requestId,
    CustomImages: page.items.map(toWireImage),
    TotalCount: String(page.total),
    PageSize: String(query.pageSize),
    PageNumber: String(query.pageNumber),
  };
}
