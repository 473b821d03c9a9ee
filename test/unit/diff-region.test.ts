import { describe, expect, it } from 'vitest';
import { contentHash } from '../../src/sync/content-hash.js';
import { countEvents, diffRegion } from '../../src/sync/diff-region.js';
import type { ImageFields, ObservedImage, StoredImage } from '../../src/sync/types.js';
import type { ImageTag } from '../../src/domain/vocabulary.js';

const fields = (over: Partial<ImageFields> = {}): ImageFields => ({
  regionId: 'cn-hangzhou',
  name: '镜像-1',
  description: 'first image',
  status: 1,
  osType: 'Linux',
  creationTime: '2022-10-09T02:28:06.000Z',
  instanceId: 'ace0706b2ac4454d984295a94213',
  instanceName: 'swas-1',
  systemSnapshotId: 's-1',
  systemSnapshotName: '系统盘快照',
  dataSnapshotId: null,
  dataSnapshotName: null,
  requiredSystemDiskSize: 20,
  requiredDataDiskSize: null,
  sourceImageName: 'CentOS',
  sourceImageVersion: '8.0',
  resourceGroupId: 'rg-1',
  inShare: false,
  inShareUser: false,
  userId: '1801858287100001',
  createInstances: ['i-1'],
  ...over,
});

const observed = (imageId: string, f: Partial<ImageFields> = {}, tags: ImageTag[] = []): ObservedImage => ({
  imageId,
  fields: fields(f),
  tags,
  raw: { ImageId: imageId, Tags: tags.map((t) => ({ Key: t.key, Value: t.value })) },
});

const stored = (imageId: string, f: Partial<ImageFields> = {}, tags: ImageTag[] = [], deletedAt: Date | null = null): StoredImage => {
  const fs = fields(f);
  return { imageId, fields: fs, tags, contentHash: contentHash(fs, tags), tagsKnown: true, deletedAt };
};

describe('diffRegion', () => {
  it('creates every image of a first listing, with a created event carrying the status', () => {
    const diff = diffRegion([], [observed('m-1', { status: 4 }), observed('m-2')], true);
    expect(diff.writes.map((w) => [w.image.imageId, w.existed, w.tagsChanged])).toEqual([
      ['m-1', false, true],
      ['m-2', false, true],
    ]);
    expect(diff.events).toEqual([
      { imageId: 'm-1', kind: 'created', oldStatus: null, newStatus: 4, changes: {} },
      { imageId: 'm-2', kind: 'created', oldStatus: null, newStatus: 1, changes: {} },
    ]);
    expect(diff.deletions).toEqual([]);
  });

  it('writes nothing and records nothing when nothing changed', () => {
    const tags = [{ key: 'env', value: 'prod' }];
    const diff = diffRegion([stored('m-1', {}, tags)], [observed('m-1', {}, tags)], true);
    expect(diff).toEqual({ writes: [], deletions: [], events: [], unchanged: 1 });
  });

  it('records a status transition as status_changed with old and new codes', () => {
    const diff = diffRegion([stored('m-1', { status: 4 })], [observed('m-1', { status: 1 })], true);
    expect(diff.events).toEqual([
      { imageId: 'm-1', kind: 'status_changed', oldStatus: 4, newStatus: 1, changes: { status: { old: 4, new: 1 } } },
    ]);
    expect(diff.writes).toHaveLength(1);
    expect(diff.writes[0]?.tagsChanged).toBe(false);
    expect(diff.writes[0]?.existed).toBe(true);
  });

  it('separates field updates, status changes and tag changes into their own events', () => {
    const diff = diffRegion(
      [stored('m-1', { status: 1, name: 'old' }, [{ key: 'env', value: 'dev' }])],
      [observed('m-1', { status: 2, name: 'new', description: 'changed' }, [{ key: 'env', value: 'prod' }, { key: 'team', value: 'a' }])],
      true,
    );
    expect(diff.events.map((e) => e.kind)).toEqual(['status_changed', 'updated', 'tags_changed']);
    expect(diff.events[1]?.changes).toEqual({
      name: { old: 'old', new: 'new' },
      description: { old: 'first image', new: 'changed' },
    });
    expect(diff.events[2]?.changes).toEqual({
      tags: { old: [{ key: 'env', value: 'dev' }], new: [{ key: 'env', value: 'prod' }, { key: 'team', value: 'a' }] },
    });
    expect(diff.writes[0]?.tagsChanged).toBe(true);
  });

  it('treats tag order as irrelevant', () => {
    const a = [{ key: 'a', value: '1' }, { key: 'b', value: '2' }];
    const b = [{ key: 'b', value: '2' }, { key: 'a', value: '1' }];
    const diff = diffRegion([stored('m-1', {}, a)], [observed('m-1', {}, b)], true);
    expect(diff.events).toEqual([]);
  });

  it('deletes images absent from a complete listing, keeping their last status', () => {
    const diff = diffRegion([stored('m-1'), stored('m-2', { status: 2 })], [observed('m-1')], true);
    expect(diff.deletions).toEqual(['m-2']);
    expect(diff.events).toEqual([{ imageId: 'm-2', kind: 'deleted', oldStatus: 2, newStatus: null, changes: {} }]);
  });

  it('never deletes on an incomplete listing, even an empty one', () => {
    const diff = diffRegion([stored('m-1'), stored('m-2')], [], false);
    expect(diff.deletions).toEqual([]);
    expect(diff.events).toEqual([]);
  });

  it('does not delete an image twice', () => {
    const diff = diffRegion([stored('m-1', {}, [], new Date('2026-01-01T00:00:00Z'))], [], true);
    expect(diff.deletions).toEqual([]);
    expect(diff.events).toEqual([]);
  });

  it('restores an image that comes back, with what changed while it was gone', () => {
    const diff = diffRegion(
      [stored('m-1', { status: 1 }, [], new Date('2026-01-01T00:00:00Z'))],
      [observed('m-1', { status: 2 })],
      false,
    );
    expect(diff.events).toEqual([
      { imageId: 'm-1', kind: 'restored', oldStatus: 1, newStatus: 2, changes: { status: { old: 1, new: 2 } } },
    ]);
    expect(diff.writes).toHaveLength(1);
  });

  it('keeps an unknown status code as is', () => {
    const diff = diffRegion([stored('m-1', { status: 1 })], [observed('m-1', { status: 9 })], true);
    expect(diff.events[0]).toMatchObject({ kind: 'status_changed', oldStatus: 1, newStatus: 9 });
  });

  it('counts events by kind', () => {
    const diff = diffRegion(
      [stored('m-1', { status: 4 }), stored('m-2')],
      [observed('m-1', { status: 1 }), observed('m-3')],
      true,
    );
    expect(countEvents(diff.events)).toEqual({
      created: 1, updated: 0, status_changed: 1, tags_changed: 0, deleted: 1, restored: 0,
    });
  });

  it('keeps stored values for fields and tags a sparse answer left out, recording nothing', () => {
    const tags = [{ key: 'env', value: 'prod' }];
    const sparse: ObservedImage = {
      imageId: 'm-1',
      fields: fields({ description: null, instanceId: null, requiredSystemDiskSize: null, createInstances: null }),
      tags: [],
      raw: { ImageId: 'm-1' },
    };
    const diff = diffRegion([stored('m-1', {}, tags)], [sparse], true);
    expect(diff).toEqual({ writes: [], deletions: [], events: [], unchanged: 1 });
  });

  it('still records an explicit empty value and an explicit empty tag list as changes', () => {
    const explicit: ObservedImage = { imageId: 'm-1', fields: fields({ description: '' }), tags: [], raw: { ImageId: 'm-1', Tags: [] } };
    const diff = diffRegion([stored('m-1', {}, [{ key: 'env', value: 'prod' }])], [explicit], true);
    expect(diff.events.map((e) => e.kind)).toEqual(['updated', 'tags_changed']);
    expect(diff.events[0]?.changes).toEqual({ description: { old: 'first image', new: '' } });
  });

  it('fills in values and tags seen for the first time without recording a change', () => {
    const sparse = fields({ description: null, requiredSystemDiskSize: null });
    const before: StoredImage = { imageId: 'm-1', fields: sparse, tags: [], contentHash: contentHash(sparse, []), tagsKnown: false, deletedAt: null };
    const full = observed('m-1', { status: 2 }, [{ key: 'env', value: 'prod' }]);
    const diff = diffRegion([before], [full], true);
    expect(diff.writes).toHaveLength(1);
    expect(diff.writes[0]?.tagsChanged).toBe(true);
    expect(diff.events).toEqual([
      { imageId: 'm-1', kind: 'status_changed', oldStatus: 1, newStatus: 2, changes: { status: { old: 1, new: 2 } } },
    ]);
  });
});
