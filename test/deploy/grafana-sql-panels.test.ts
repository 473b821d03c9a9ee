/**
 * Every SQL panel of the inventory dashboard, run as Grafana runs it: its query with Grafana's macro
 * and variable expanded, as a login that is only a member of swas_reader, against a database two
 * real syncs wrote (the emulator through the SDK; between them a status change, a tag change, a
 * deletion and a region whose key lost its permission). Each must return rows of the shape its
 * panel reads (the columns, a `time` column for time series) and the numbers the syncs recorded.
 * A query that touches a base table, a missing view or a renamed column fails here (the failure
 * CloudQuery's dashboards met, cloudquery/cloudquery#8127), not on an operator's screen.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Account } from '../../src/config/accounts.js';
import { loadConfig } from '../../src/config/env.js';
import { SwasClients } from '../../src/cloud/swas-client.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { generateSeed, startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { silentLogger } from '../../src/ops/logger.js';
import { SINGLE_ATTEMPT_POLICY } from '../../src/sync/retry-policy.js';
import { runSync } from '../../src/sync/run-sync.js';
import { createTestDatabase } from '../helpers/databases.js';
import { loadDashboards, sqlTargets, type Panel, type Target } from './grafana-dashboard-files.js';

const REGIONS = ['cn-beijing', 'cn-hangzhou', 'cn-shanghai'];
const DENIED = 'cn-shanghai';
const CHANGED = 'm-7e57';
const DELETED = 'm-de1e7e';
const FAILED = 'm-fa11';

const inventory = loadDashboards().find((d) => d.json.uid === 'swas-inventory')!.json;
const panels = sqlTargets(inventory);

/** Grafana's expansion of the macro and variable these panels use (a text variable's quotes doubled, as Grafana's SQL datasources do). */
function expand(rawSql: string, vars: { imageId: string; from: Date; to: Date }): string {
  return rawSql
    .replace(/\$__timeFilter\(([^)]+)\)/g, (_m, col: string) => `${col} BETWEEN '${vars.from.toISOString()}' AND '${vars.to.toISOString()}'`)
    .replaceAll('$image_id', vars.imageId.replaceAll("'", "''"));
}

describe('inventory dashboard SQL panels as a swas_reader login, on a synced database', () => {
  let h: DatabaseHandle;
  let emu: EmulatorHandle;
  let owner: postgres.Sql;
  let reader: postgres.Sql;
  const login = `swas_graf_${randomBytes(4).toString('hex')}`;
  let present: number;
  /** Present images per status label, from the emulator's own state (its codes mapped here, independently of the sync). */
  let truthByStatus: Record<string, number>;

  const run = async (title: string, imageId = CHANGED): Promise<{ columns: string[]; rows: Array<Record<string, unknown>> }> => {
    const found = panels.find((p) => p.panel.title === title);
    if (found === undefined) throw new Error(`no SQL panel titled ${title}`);
    const now = Date.now();
    const result = await reader.unsafe(expand(found.target.rawSql!, { imageId, from: new Date(now - 30 * 86_400_000), to: new Date(now + 3_600_000) }));
    return { columns: result.columns.map((c) => c.name), rows: [...result] as Array<Record<string, unknown>> };
  };
  const sum = (rows: Array<Record<string, unknown>>, col: string) => rows.reduce((n, r) => n + Number(r[col]), 0);

  beforeAll(async () => {
    h = await createTestDatabase('postgres');
    emu = await startEmulator({ seed: generateSeed({ accounts: 1, regions: REGIONS, imagesPerRegion: 3, seed: 23 }) });
    const key = emu.accounts[0]!;
    emu.createImage({ ownerUid: key.uid, regionId: 'cn-hangzhou', imageId: CHANGED, name: 'web', status: '1', osType: 'Linux' });
    emu.createImage({ ownerUid: key.uid, regionId: 'cn-beijing', imageId: DELETED, name: 'old', status: '1', osType: 'Linux' });
    emu.createImage({ ownerUid: key.uid, regionId: 'cn-beijing', imageId: FAILED, name: "build 'x'", status: '3', osType: 'Windows' });
    const config = loadConfig({ SWAS_ENDPOINT: emu.url, SWAS_REGIONS: REGIONS.join(',') });
    const clients = new SwasClients({ config, env: { G_AK: key.accessKeyId, G_SK: key.accessKeySecret } });
    const account: Account = { name: 'prod', credentials: { type: 'access_key', accessKeyIdEnv: 'G_AK', accessKeySecretEnv: 'G_SK' }, regions: { allow: null, deny: [] }, callsPerSecond: 100 };
    const sync = () => runSync({ db: h.db, clients, config, accounts: [account], log: silentLogger() }, { regions: [], retry: SINGLE_ATTEMPT_POLICY });
    expect((await sync()).summary.status).toBe('succeeded');
    emu.updateImage(CHANGED, { status: '2' });
    const tagged = emu.images({ accountUid: key.uid }).find((i) => i.regionId === 'cn-hangzhou' && i.imageId !== CHANGED)!;
    emu.updateImage(tagged.imageId, { tags: [{ key: 'owner', value: 'grafana-test' }] });
    emu.deleteImage(DELETED);
    emu.addFault({ kind: 'error', code: 'Forbidden.RAM', status: 403, match: { region: DENIED } });
    expect((await sync()).summary.status).toBe('partial');
    const truth = emu.images({ accountUid: key.uid });
    present = truth.length;
    const LABEL: Record<string, string> = { 0: 'copying', 1: 'available', 2: 'unavailable', 3: 'creation_failed', 4: 'creating' };
    truthByStatus = {};
    for (const img of truth) truthByStatus[LABEL[img.status]!] = (truthByStatus[LABEL[img.status]!] ?? 0) + 1;

    const url = new URL(h.url!);
    owner = postgres(url.toString(), { max: 1, onnotice: () => {} });
    await owner.unsafe(`create role ${login} login password 'grafana-ro' in role swas_reader`);
    url.username = login;
    url.password = 'grafana-ro';
    reader = postgres(url.toString(), { max: 1, onnotice: () => {} });
  }, 120_000);
  afterAll(async () => {
    await reader?.end();
    await owner?.unsafe(`drop owned by ${login}`).catch(() => undefined);
    await owner?.end();
    await h?.close();
    // Roles are cluster-wide: dropped once its database (and what it owned there) is gone.
    const admin = postgres(inject('pgAdminUrl'), { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop role if exists ${login}`).catch(() => undefined);
    await admin.end();
    await emu?.stop();
  });

  it('the login really is read-only: a base table is refused', async () => {
    await expect(reader.unsafe('select 1 from swas.custom_images limit 1')).rejects.toThrow(/permission denied/);
  });

  it('every SQL panel is covered below (a new panel needs its shape here)', () => {
    expect(panels.map((p) => p.panel.title).sort()).toEqual(Object.keys(SHAPES).sort());
  });

  const SHAPES: Record<string, string[]> = {
    'Images present': ['images'],
    'By status': ['status', 'images'],
    'By region': ['region', 'images'],
    'By OS': ['os', 'images'],
    'Inventory by region, status and OS': ['region', 'status', 'os', 'images'],
    'Region freshness': ['account', 'region', 'last complete listing', 'age', 'last outcome'],
    'Changes per day by kind': ['time', 'metric', 'changes'],
    'Recent failures': ['time', 'account', 'region', 'status', 'code', 'message', 'run'],
    'Images whose creation failed': ['account', 'region', 'image', 'name', 'first seen'],
    'Recent runs': ['time', 'status', 'trigger', 'regions', 'succeeded', 'failed', 'images', 'error'],
    'Image status timeline': ['time', 'status'],
    'Image history': ['time', 'kind', 'from', 'to', 'changes', 'account', 'region', 'run'],
  };

  it.each(panels.map(({ panel, target }) => [panel.title, panel, target] as [string, Panel, Target]))('%s: returns rows with the columns its panel reads', async (title, panel, target) => {
    const { columns, rows } = await run(title);
    expect(columns).toEqual(SHAPES[title]);
    expect(rows.length, title).toBeGreaterThan(0);
    if (target.format === 'time_series' || columns[0] === 'time') {
      for (const r of rows) expect(r.time, `${title} (${panel.type})`).toBeInstanceOf(Date);
    }
  });

  it('the inventory counts add up to what the emulator holds', async () => {
    expect((await run('Images present')).rows).toEqual([{ images: present }]);
    for (const title of ['By status', 'By region', 'By OS', 'Inventory by region, status and OS']) expect(sum((await run(title)).rows, 'images'), title).toBe(present);
    expect(Object.fromEntries((await run('By status')).rows.map((r) => [r.status, r.images]))).toEqual(truthByStatus);
    expect(truthByStatus.creation_failed).toBeGreaterThanOrEqual(1);
    expect((await run('By region')).rows.map((r) => r.region)).toEqual(REGIONS);
    expect((await run('By OS')).rows.map((r) => r.os)).toContain('Windows');
  });

  it('changes per day name each kind the second sync recorded', async () => {
    const kinds = new Set((await run('Changes per day by kind')).rows.map((r) => r.metric));
    for (const kind of ['created', 'status_changed', 'tags_changed', 'deleted']) expect(kinds).toContain(kind);
  });

  it('recent failures and runs show the denied region and the partial run; freshness shows its failed outcome', async () => {
    const failures = (await run('Recent failures')).rows;
    expect(failures).toEqual([expect.objectContaining({ account: 'prod', region: DENIED, status: 'failed', code: 'Forbidden.RAM' })]);
    expect((await run('Recent runs')).rows.map((r) => r.status)).toEqual(['partial', 'succeeded']);
    const fresh = Object.fromEntries((await run('Region freshness')).rows.map((r) => [r.region, r['last outcome']]));
    expect(fresh).toEqual({ 'cn-beijing': 'succeeded', 'cn-hangzhou': 'succeeded', [DENIED]: 'failed' });
    expect((await run('Images whose creation failed')).rows.map((r) => r.image)).toContain(FAILED);
  });

  it('the image timeline follows one image: its statuses in order, and `deleted` for a deleted one', async () => {
    expect((await run('Image status timeline', CHANGED)).rows.map((r) => r.status)).toEqual(['available', 'unavailable']);
    expect((await run('Image status timeline', DELETED)).rows.map((r) => r.status)).toEqual(['available', 'deleted']);
    expect((await run('Image history', CHANGED)).rows.map((r) => [r.kind, r.from, r.to])).toEqual([['created', null, 'available'], ['status_changed', 'available', 'unavailable']]);
    // A quote in the text variable stays inside the literal (Grafana doubles it): no rows, no error.
    expect((await run('Image history', "x' or '1'='1")).rows).toEqual([]);
  });
});
