/**
 * The emulator's truth as the database should read it, mapped HERE from the emulator's own state
 * (docs/EMULATOR.md's wire rules), not through the sync's normalizer, so a bug in the normalizer
 * cannot agree with itself. Plus the event log those truths imply between two checkpoints.
 */
import type { EmulatorHandle, StoredImage as EmuImage } from '../../src/emulator/index.js';

/** One image as every typed column of swas.custom_images should hold it, tags as sorted `key=value`. */
export interface ExpectedImage {
  imageId: string;
  regionId: string;
  name: string;
  description: string;
  status: number;
  osType: string;
  /** ISO 8601 with milliseconds, as `Date#toISOString` prints the stored timestamptz. */
  creationTime: string;
  instanceId: string;
  instanceName: string;
  systemSnapshotId: string;
  systemSnapshotName: string;
  dataSnapshotId: string;
  dataSnapshotName: string;
  requiredSystemDiskSize: number;
  requiredDataDiskSize: number;
  sourceImageName: string;
  sourceImageVersion: string;
  resourceGroupId: string;
  inShare: boolean;
  inShareUser: boolean;
  userId: string;
  createInstances: string[];
  tags: string[];
}

/** Which account of the emulator a database account name stands for, and the regions it syncs. */
export interface AccountView {
  /** The `account` column (the configured account name). */
  name: string;
  /** The emulator account uid. */
  uid: string;
  regions: readonly string[];
}

export type Snapshot = Map<string, ExpectedImage>;

/** What `account` lists in its regions: its own images plus those shared with it (Share absent = both). */
export function truthOf(emu: EmulatorHandle, account: AccountView): Snapshot {
  const out: Snapshot = new Map();
  for (const img of emu.images()) {
    if (!account.regions.includes(img.regionId)) continue;
    if (img.ownerUid !== account.uid && !img.sharedWith.includes(account.uid)) continue;
    out.set(img.imageId, expectedImage(img));
  }
  return out;
}

export function expectedImage(img: EmuImage): ExpectedImage {
  return {
    imageId: img.imageId,
    regionId: img.regionId,
    name: img.name,
    description: img.description,
    status: Number(img.status),
    osType: img.osType,
    creationTime: new Date(img.creationTime).toISOString(),
    instanceId: img.instanceId,
    instanceName: img.instanceName,
    systemSnapshotId: img.systemSnapshotId,
    systemSnapshotName: img.systemSnapshotName,
    dataSnapshotId: img.dataSnapshotId,
    dataSnapshotName: img.dataSnapshotName,
    requiredSystemDiskSize: img.requiredSystemDiskSize,
    requiredDataDiskSize: img.requiredDataDiskSize,
    sourceImageName: img.sourceImageName,
    sourceImageVersion: img.sourceImageVersion,
    resourceGroupId: img.resourceGroupId,
    inShare: img.inShare,
    // The wire says InShareUser whenever the image is shared with anyone (src/emulator's toWireImage).
    inShareUser: img.sharedWith.length > 0,
    userId: img.ownerUid,
    createInstances: [...img.createInstances],
    tags: img.tags.map((t) => `${t.key}=${t.value}`).sort(),
  };
}

export type EventKind = 'created' | 'updated' | 'status_changed' | 'tags_changed' | 'deleted' | 'restored';

export interface ExpectedEvent {
  imageId: string;
  kind: EventKind;
  oldStatus: number | null;
  newStatus: number | null;
}

const NON_STATUS_FIELDS = [
  'regionId', 'name', 'description', 'osType', 'creationTime', 'instanceId', 'instanceName', 'systemSnapshotId',
  'systemSnapshotName', 'dataSnapshotId', 'dataSnapshotName', 'requiredSystemDiskSize', 'requiredDataDiskSize',
  'sourceImageName', 'sourceImageVersion', 'resourceGroupId', 'inShare', 'inShareUser', 'userId', 'createInstances',
] as const satisfies ReadonlyArray<keyof ExpectedImage>;

/**
 * What one account's history must say, checkpoint to checkpoint. `advance(truth)` returns the events
 * a correct sync records between the last converged state and `truth` (whatever faults happened in
 * between), and remembers the last known state of deleted images (their row keeps it, and a restore
 * reports the status it had when it went).
 */
export class Ledger {
  /** Last known state of every image the account ever had; `gone` marks those deleted since. */
  readonly known = new Map<string, ExpectedImage>();
  readonly gone = new Set<string>();

  /** The events `advance` would return, without moving the ledger (checks made while faults are on). */
  preview(truth: Snapshot): ExpectedEvent[] {
    const copy = new Ledger();
    for (const [id, img] of this.known) copy.known.set(id, img);
    for (const id of this.gone) copy.gone.add(id);
    return copy.advance(truth);
  }

  advance(truth: Snapshot): ExpectedEvent[] {
    const events: ExpectedEvent[] = [];
    for (const [id, now] of truth) {
      const before = this.known.get(id);
      if (before === undefined) {
        events.push({ imageId: id, kind: 'created', oldStatus: null, newStatus: now.status });
      } else if (this.gone.has(id)) {
        events.push({ imageId: id, kind: 'restored', oldStatus: before.status, newStatus: now.status });
      } else {
        if (before.status !== now.status) events.push({ imageId: id, kind: 'status_changed', oldStatus: before.status, newStatus: now.status });
        if (NON_STATUS_FIELDS.some((f) => JSON.stringify(before[f]) !== JSON.stringify(now[f]))) {
          events.push({ imageId: id, kind: 'updated', oldStatus: before.status, newStatus: now.status });
        }
        if (JSON.stringify(before.tags) !== JSON.stringify(now.tags)) {
          events.push({ imageId: id, kind: 'tags_changed', oldStatus: before.status, newStatus: now.status });
        }
      }
      this.known.set(id, now);
      this.gone.delete(id);
    }
    for (const [id, before] of this.known) {
      if (truth.has(id) || this.gone.has(id)) continue;
      events.push({ imageId: id, kind: 'deleted', oldStatus: before.status, newStatus: null });
      this.gone.add(id);
    }
    return events;
  }
}
