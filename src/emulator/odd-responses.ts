import type { OddTypeVariant } from './fault-rule-format.js';
import type { FaultDecision } from './fault-plan.js';
import type { ListCustomImagesBody } from './list-custom-images.js';

/** A JSON object whose fields a fault may retype; the wire body after faults are applied. */
export type LooseObject = Record<string, unknown>;

/** Fields a normalizer must not depend on: everything but the identity, name, state and owner. */
const OPTIONAL_IMAGE_FIELDS = [
  'DataSnapshotName', 'SystemSnapshotId', 'InShare', 'InShareUser', 'InstanceId', 'DataSnapshotId', 'SystemSnapshotName',
  'Description', 'Tags', 'InstanceName', 'ResourceGroupId', 'CreateInstances', 'OsType', 'RequiredSystemDiskSize',
  'RequiredDataDiskSize', 'SourceImageName', 'SourceImageVersion',
] as const;

function oddItem(item: LooseObject, variants: ReadonlySet<OddTypeVariant>, index: number): LooseObject {
  const out: LooseObject = { ...item };
  if (variants.has('numbersAsStrings')) {
    for (const key of ['UserId', 'RequiredSystemDiskSize', 'RequiredDataDiskSize']) {
      if (typeof out[key] === 'number') out[key] = String(out[key]);
    }
  }
  if (variants.has('countsAsNumbers') && typeof out.Status === 'string') out.Status = Number(out.Status);
  if (variants.has('booleansAsStrings')) {
    for (const key of ['InShare', 'InShareUser']) if (typeof out[key] === 'boolean') out[key] = String(out[key]);
  }
  // Alternate items so one page shows both shapes: a normalizer must cope with each.
  if (variants.has('missingOptional') && index % 2 === 0) for (const key of OPTIONAL_IMAGE_FIELDS) delete out[key];
  if (variants.has('nulls') && index % 2 === 1) {
    for (const key of ['Description', 'Tags', 'CreateInstances', 'ResourceGroupId', 'DataSnapshotId', 'DataSnapshotName', 'InstanceName']) out[key] = null;
  }
  return out;
}

/**
 * Applies the body-shaping faults to a ListCustomImages body: oddly typed but valid responses,
 * and broken items (missing ImageId, wrong-typed field) that a normalizer must reject.
 */
export function shapeListBody(body: ListCustomImagesBody, decision: FaultDecision): LooseObject {
  const items: LooseObject[] = body.CustomImages.map((item, i) =>
    decision.oddTypes.size > 0 ? oddItem({ ...item }, decision.oddTypes, i) : { ...item });
  for (const bad of decision.badItems) {
    const item = items[Math.min(bad.index, items.length - 1)];
    if (!item) continue;
    if (bad.mode === 'missingImageId') delete item.ImageId;
    else item[bad.field] = bad.value;
  }
  const out: LooseObject = { ...body, CustomImages: items };
  if (decision.oddTypes.has('countsAsNumbers')) {
    out.TotalCount = Number(body.TotalCount);
    out.PageSize = Number(body.PageSize);
    out.PageNumber = Number(body.PageNumber);
  }
  return out;
}

/** A body that is not JSON at all, as a misbehaving proxy might return with a 200. */
export const DEFAULT_MALFORMED_BODY = '{"RequestId": "malformed", "CustomImages": [{"ImageId": m-0000, }]';
