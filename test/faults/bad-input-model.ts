/**
 * Bad API responses, generated (fast-check): a valid ListCustomImages item model, and mutations
 * on it that the API contract either tolerates (extra fields, missing or null optional fields,
 * numbers as strings, NUL bytes, lone surrogates, emoji and mixed scripts, 1 MB strings, exact or
 * conflicting duplicates within and across pages, the largest bigint UserId) or must refuse
 * (no/empty/non-string ImageId, wrong types, invalid dates, negative or oversized numbers,
 * UserIds that do not fit, items that are not objects, an item of another region).
 *
 * `expectedRow` maps an item to the columns it must be stored as, from the README's contract
 * (text cleaned of NUL and lone surrogates only; everything else as sent), written here and not
 * taken from src/sync, so the two cannot agree by construction.
 */
import fc from 'fast-check';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Item = Record<string, Json>;

export const TEXT_FIELDS = ['Name', 'Description', 'OsType', 'InstanceId', 'InstanceName', 'SystemSnapshotId', 'SystemSnapshotName',
  'DataSnapshotId', 'DataSnapshotName', 'SourceImageName', 'SourceImageVersion', 'ResourceGroupId'] as const;
const OPTIONAL = [...TEXT_FIELDS, 'Status', 'CreationTime', 'RequiredSystemDiskSize', 'RequiredDataDiskSize', 'InShare', 'InShareUser',
  'UserId', 'CreateInstances', 'Tags', 'RegionId'] as const;

export type Mutation =
  // tolerated
  | { kind: 'extraField'; index: number; key: string; value: Json }
  | { kind: 'dropOptional'; index: number; field: (typeof OPTIONAL)[number] }
  | { kind: 'nullOptional'; index: number; field: (typeof OPTIONAL)[number] }
  | { kind: 'numbersAsStrings'; index: number }
  | { kind: 'booleansAsStrings'; index: number }
  | { kind: 'nulBytes'; index: number; field: (typeof TEXT_FIELDS)[number] }
  | { kind: 'loneSurrogate'; index: number; field: (typeof TEXT_FIELDS)[number] }
  | { kind: 'megabyteString'; index: number; field: (typeof TEXT_FIELDS)[number] }
  | { kind: 'largestUserId'; index: number }
  | { kind: 'duplicate'; index: number; conflicting: boolean }
  // refused
  | { kind: 'noImageId'; index: number; value: Json | undefined }
  | { kind: 'wrongType'; index: number; field: string; value: Json }
  | { kind: 'invalidDate'; index: number; value: string }
  | { kind: 'negativeSize'; index: number; field: 'RequiredSystemDiskSize' | 'RequiredDataDiskSize'; value: number | string }
  | { kind: 'oversized'; index: number; field: 'Status' | 'RequiredSystemDiskSize'; value: number }
  | { kind: 'userIdTooBig'; index: number; value: number | string }
  | { kind: 'notAnObject'; index: number; value: Json }
  | { kind: 'otherRegion'; index: number };

export const REFUSED_KINDS = new Set<Mutation['kind']>(['noImageId', 'wrongType', 'invalidDate', 'negativeSize', 'oversized', 'userIdTooBig', 'notAnObject', 'otherRegion']);

const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 24 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('生产镜像 №7 🚀', '\'); DROP TABLE swas.custom_images; --', 'Ελληνικά עברית العربية हिन्दी 日本語', '👩‍👩‍👧‍👦🇨🇳', '', ' '),
);

const isoDate = fc.date({ min: new Date('1971-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true })
  .map((d) => `${d.toISOString().slice(0, 19)}Z`);

/** A valid item of region `regionId`, with the ImageId `m-<n>` (unique per case). */
export function validItem(regionId: string): fc.Arbitrary<(n: number) => Item> {
  return fc.record({
    Name: text, Description: text, OsType: fc.constantFrom('Linux', 'Windows', ''),
    InstanceId: text, InstanceName: text, SystemSnapshotId: text, SystemSnapshotName: text, DataSnapshotId: text,
    DataSnapshotName: text, SourceImageName: text, SourceImageVersion: text, ResourceGroupId: text,
    Status: fc.oneof(fc.integer({ min: 0, max: 4 }).map(String), fc.integer({ min: 0, max: 32_767 })),
    CreationTime: isoDate,
    RequiredSystemDiskSize: fc.integer({ min: 0, max: 2_147_483_647 }),
    RequiredDataDiskSize: fc.integer({ min: 0, max: 2_000 }),
    InShare: fc.boolean(), InShareUser: fc.boolean(),
    UserId: fc.oneof(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.bigInt({ min: 0n, max: 9_223_372_036_854_775_807n }).map(String)),
    CreateInstances: fc.array(text, { maxLength: 3 }),
    Tags: fc.array(fc.record({ Key: text, Value: text }), { maxLength: 4 }),
  }).map((fields) => (n: number): Item => ({ ImageId: `m-${n.toString(16).padStart(6, '0')}`, RegionId: regionId, ...fields }));
}

const index = fc.nat({ max: 50 });
const textField = fc.constantFrom(...TEXT_FIELDS);
const optional = fc.constantFrom(...OPTIONAL);

export const tolerated: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('extraField' as const), index, key: fc.string({ minLength: 1, maxLength: 10 }).map((k) => `X${k}`),
    value: fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null), fc.dictionary(fc.string({ maxLength: 5 }).map((k) => `k${k}`), fc.oneof(text, fc.integer()), { maxKeys: 3 })) }),
  fc.record({ kind: fc.constant('dropOptional' as const), index, field: optional }),
  fc.record({ kind: fc.constant('nullOptional' as const), index, field: optional }),
  fc.record({ kind: fc.constant('numbersAsStrings' as const), index }),
  fc.record({ kind: fc.constant('booleansAsStrings' as const), index }),
  fc.record({ kind: fc.constant('nulBytes' as const), index, field: textField }),
  fc.record({ kind: fc.constant('loneSurrogate' as const), index, field: textField }),
  fc.record({ kind: fc.constant('megabyteString' as const), index, field: textField }),
  fc.record({ kind: fc.constant('largestUserId' as const), index }),
  fc.record({ kind: fc.constant('duplicate' as const), index, conflicting: fc.boolean() }),
);

export const refused: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('noImageId' as const), index, value: fc.constantFrom<Json | undefined>(undefined, null, '', 42, { id: 'm-1' }) }),
  fc.record({ kind: fc.constant('wrongType' as const), index,
    field: fc.constantFrom('Name', 'Status', 'CreationTime', 'Tags', 'CreateInstances', 'UserId', 'RequiredSystemDiskSize', 'ImageId'),
    value: fc.constantFrom<Json>({ nested: true }, [1, 2], true) }),
  fc.record({ kind: fc.constant('invalidDate' as const), index, value: fc.constantFrom('2024-13-45T00:00:00Z', 'yesterday', '2024-02-30T10:00:00Z', '2024-01-01T25:00:00Z', '0') }),
  fc.record({ kind: fc.constant('negativeSize' as const), index, field: fc.constantFrom('RequiredSystemDiskSize' as const, 'RequiredDataDiskSize' as const),
    value: fc.oneof(fc.integer({ min: -1_000_000, max: -1 }), fc.constant('-20')) }),
  // Over the column: Status is a smallint, the sizes integers.
  fc.record({ kind: fc.constant('oversized' as const), index, field: fc.constant('Status' as const), value: fc.constantFrom(32_768, 2_147_483_648, 1e300) }),
  fc.record({ kind: fc.constant('oversized' as const), index, field: fc.constant('RequiredSystemDiskSize' as const), value: fc.constantFrom(2_147_483_648, 1e300) }),
  fc.record({ kind: fc.constant('userIdTooBig' as const), index,
    value: fc.constantFrom<number | string>(2 ** 64, Number.MAX_SAFE_INTEGER + 2, '9223372036854775808', '123456789012345678901234567890', -5) }),
  fc.record({ kind: fc.constant('notAnObject' as const), index, value: fc.constantFrom<Json>('m-xyz', 7, null, [{ ImageId: 'm-1' }]) }),
  fc.record({ kind: fc.constant('otherRegion' as const), index }),
);

const MEGABYTE = `${'字'.repeat(200_000)}${'x'.repeat(448_576)}🚀`;

/** Applies the mutations: tolerated, then refused, then duplicates. */
export function applyMutations(base: Item[], mutations: readonly Mutation[], otherRegion: string): Json[] {
  const items: Json[] = base.map((i) => ({ ...i }));
  const at = (m: Mutation) => m.index % base.length;
  const obj = (m: Mutation): Item | null => {
    const v = items[at(m)];
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : null;
  };
  // Refused mutations after the tolerated ones (a tolerated one must not overwrite the bad value),
  // duplicates last (so a copy carries everything else).
  const ordered = [
    ...mutations.filter((m) => m.kind !== 'duplicate' && !REFUSED_KINDS.has(m.kind)),
    ...mutations.filter((m) => REFUSED_KINDS.has(m.kind)),
    ...mutations.filter((m) => m.kind === 'duplicate'),
  ];
  for (const m of ordered) {
    const item = obj(m);
    switch (m.kind) {
      case 'notAnObject': items[at(m)] = m.value; break;
      case 'extraField': if (item) item[m.key] = m.value; break;
      case 'dropOptional': if (item) delete item[m.field]; break;
      case 'nullOptional': if (item) item[m.field] = null; break;
      case 'numbersAsStrings':
        if (item) for (const f of ['Status', 'RequiredSystemDiskSize', 'RequiredDataDiskSize', 'UserId']) if (typeof item[f] === 'number') item[f] = String(item[f]);
        break;
      case 'booleansAsStrings':
        if (item) for (const f of ['InShare', 'InShareUser']) if (typeof item[f] === 'boolean') item[f] = String(item[f]);
        break;
      case 'nulBytes': if (item) item[m.field] = `\u0000${String(item[m.field] ?? '')}\u0000x\u0000`; break;
      case 'loneSurrogate': if (item) item[m.field] = `a\uD800b${String(item[m.field] ?? '')}\uDC00`; break;
      case 'megabyteString': if (item) item[m.field] = MEGABYTE; break;
      case 'largestUserId': if (item) item.UserId = '9223372036854775807'; break;
      case 'noImageId':
        if (item) {
          if (m.value === undefined) delete item.ImageId;
          else item.ImageId = m.value;
        }
        break;
      case 'wrongType': if (item) item[m.field] = m.value; break;
      case 'invalidDate': if (item) item.CreationTime = m.value; break;
      case 'negativeSize': if (item) item[m.field] = m.value; break;
      case 'oversized': if (item) item[m.field] = m.value; break;
      case 'userIdTooBig': if (item) item.UserId = m.value; break;
      case 'otherRegion': if (item) item.RegionId = otherRegion; break;
      case 'duplicate': {
        const source = items[at(m)];
        if (source === undefined) break;
        const copy: Json = typeof source === 'object' && source !== null && !Array.isArray(source) ? { ...source } : source;
        if (m.conflicting && typeof copy === 'object' && copy !== null && !Array.isArray(copy)) copy.Name = 'the second copy (must not win)';
        items.push(copy);
        break;
      }
    }
  }
  return items;
}

/** Would the contract refuse this case? (Any refused mutation that landed on an item still an object, or replaced one.) */
export function isRefused(mutations: readonly Mutation[]): boolean {
  // A mutation on an item that `notAnObject` replaced does nothing, but the case is refused anyway.
  return mutations.some((m) => REFUSED_KINDS.has(m.kind));
}

const LONE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** The README's contract for text: NUL removed, lone surrogates become U+FFFD; nothing else changes. */
export function stored(text: string): string {
  return text.replaceAll('\u0000', '').replace(LONE, '\uFFFD');
}

export function storedJson(value: Json): Json {
  if (typeof value === 'string') return stored(value);
  if (Array.isArray(value)) return value.map(storedJson);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [stored(k), storedJson(v)]));
  return value;
}

export interface ExpectedRow {
  imageId: string;
  name: string | null; description: string | null; status: number | null; osType: string | null; creationTime: string | null;
  instanceId: string | null; instanceName: string | null; systemSnapshotId: string | null; systemSnapshotName: string | null;
  dataSnapshotId: string | null; dataSnapshotName: string | null; requiredSystemDiskSize: number | null; requiredDataDiskSize: number | null;
  sourceImageName: string | null; sourceImageVersion: string | null; resourceGroupId: string | null;
  inShare: boolean | null; inShareUser: boolean | null; userId: string | null; createInstances: string[] | null;
  tags: string[];
  raw: Json;
}

const txt = (v: Json | undefined): string | null => (typeof v === 'string' ? stored(v) : null);
const num = (v: Json | undefined): number | null => (v === null || v === undefined ? null : Number(v));
const bool = (v: Json | undefined): boolean | null => (v === null || v === undefined ? null : v === true || v === 'true');

/** What a tolerated item must be stored as. */
export function expectedRow(item: Item): ExpectedRow {
  const tags = Array.isArray(item.Tags) ? item.Tags : [];
  const tagSet = new Set(tags.map((t) => {
    const tag = t as { Key: string; Value: string | null };
    return `${stored(tag.Key)}=${stored(tag.Value ?? '')}`;
  }));
  const created = typeof item.CreationTime === 'string' && item.CreationTime !== '' ? new Date(item.CreationTime).toISOString() : null;
  return {
    imageId: stored(item.ImageId as string),
    name: txt(item.Name), description: txt(item.Description), status: num(item.Status), osType: txt(item.OsType), creationTime: created,
    instanceId: txt(item.InstanceId), instanceName: txt(item.InstanceName), systemSnapshotId: txt(item.SystemSnapshotId),
    systemSnapshotName: txt(item.SystemSnapshotName), dataSnapshotId: txt(item.DataSnapshotId), dataSnapshotName: txt(item.DataSnapshotName),
    requiredSystemDiskSize: num(item.RequiredSystemDiskSize), requiredDataDiskSize: num(item.RequiredDataDiskSize),
    sourceImageName: txt(item.SourceImageName), sourceImageVersion: txt(item.SourceImageVersion), resourceGroupId: txt(item.ResourceGroupId),
    inShare: bool(item.InShare), inShareUser: bool(item.InShareUser),
    userId: item.UserId === null || item.UserId === undefined ? null : BigInt(item.UserId as number | string).toString(),
    createInstances: Array.isArray(item.CreateInstances) ? item.CreateInstances.map((s) => stored(s as string)) : null,
    tags: [...tagSet].sort(),
    raw: storedJson(item),
  };
}
