/**
 * The console tests' world: the emulator with a small inventory, real syncs through the SDK into
 * a Postgres database, and a scripted history of one image, `m-story`: created (creating) ->
 * available -> unavailable -> renamed -> tags changed -> deleted -> restored, one sync each.
 * `marks` are instants between the syncs (for as-of). `m-evil` is named with markup.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import type { Account } from '../../src/config/accounts.js';
import { loadConfig } from '../../src/config/env.js';
import { SwasClients } from '../../src/cloud/swas-client.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/open-database.js';
import { generateSeed, startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { silentLogger } from '../../src/ops/logger.js';
import { SINGLE_ATTEMPT_POLICY } from '../../src/sync/retry-policy.js';
import { runSync, type RunSyncReport } from '../../src/sync/run-sync.js';
import { createTestDatabaseUrl } from '../helpers/databases.js';

export const EVIL = '<img src=x onerror=alert(1)>';
export const STORY = 'm-story';
export const ACCOUNT = 'default';
const REGIONS = ['cn-hangzhou', 'cn-beijing'];

export interface ScriptedWorld {
  emu: EmulatorHandle;
  /** The owner's handle (what the sync writes with). */
  owner: DatabaseHandle;
  /** A login that is only a member of swas_reader, on the same database. */
  readerUrl: string;
  /** A new login with no role at all (nothing granted), on the same database; dropped at close. */
  loginWithoutRoles(): Promise<string>;
  sync(): Promise<RunSyncReport>;
  marks: { beforeFirst: string; created: string; available: string; unavailable: string; renamed: string; retagged: string; deleted: string; restored: string };
  close(): Promise<void>;
}

export async function buildScriptedWorld(): Promise<ScriptedWorld> {
  const db = await createTestDatabaseUrl();
  const owner = await openDatabase({ databaseUrl: db.url, maxConnections: 3 });
  const login = `swas_console_${randomBytes(4).toString('hex')}`;
  const admin = postgres(db.url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create role ${login} login password 'console-reader' in role swas_reader`);
  const reader = new URL(db.url);
  reader.username = login;
  reader.password = 'console-reader';

  const emu = await startEmulator({ seed: generateSeed({ accounts: 1, regions: REGIONS, imagesPerRegion: 3, seed: 21 }) });
  const uid = emu.accounts[0]!.uid;
  const config = loadConfig({ SWAS_ENDPOINT: emu.url, SWAS_REGIONS: REGIONS.join(',') });
  const clients = new SwasClients({ config, env: { C_AK: emu.accounts[0]!.accessKeyId, C_SK: emu.accounts[0]!.accessKeySecret } });
  const account: Account = { name: ACCOUNT, credentials: { type: 'access_key', accessKeyIdEnv: 'C_AK', accessKeySecretEnv: 'C_SK' }, regions: { allow: null, deny: [] }, callsPerSecond: 100 };
  const sync = async () => {
    const report = await runSync({ db: owner.db, clients, config, accounts: [account], log: silentLogger() }, { regions: [], retry: SINGLE_ATTEMPT_POLICY });
    if (report.summary.status !== 'succeeded') throw new Error(`sync ${report.summary.status}`);
    return report;
  };
  const mark = () => new Date().toISOString();

  const beforeFirst = mark();
  emu.createImage({ ownerUid: uid, regionId: 'cn-hangzhou', imageId: STORY, name: 'web', status: '4', description: 'the image whose story the console tells',
    tags: [{ key: 'env', value: 'dev' }], instanceId: 'i-source1', instanceName: 'builder', systemSnapshotId: 's-sys1', osType: 'Linux' });
  emu.createImage({ ownerUid: uid, regionId: 'cn-beijing', imageId: 'm-evil', name: EVIL, description: '"><script>alert(2)</script>',
    tags: [{ key: '<b>k</b>', value: '</td><script>alert(3)</script>' }] });
  await sync();
  const created = mark();
  emu.updateImage(STORY, { status: '1' });
  await sync();
  const available = mark();
  emu.updateImage(STORY, { status: '2' });
  await sync();
  const unavailable = mark();
  emu.updateImage(STORY, { name: 'web-v2' });
  await sync();
  const renamed = mark();
  emu.updateImage(STORY, { tags: [{ key: 'env', value: 'prod' }, { key: 'team', value: 'core' }] });
  await sync();
  const retagged = mark();
  const gone = emu.deleteImage(STORY);
  await sync();
  const deleted = mark();
  const { imageId: _id, ...rest } = gone;
  emu.createImage({ ...rest, imageId: STORY, status: '1' });
  await sync();
  const restored = mark();

  const strangers: string[] = [];
  const loginWithoutRoles = async () => {
    const name = `swas_stranger_${randomBytes(4).toString('hex')}`;
    await admin.unsafe(`create role ${name} login password 'stranger'`);
    strangers.push(name);
    const url = new URL(db.url);
    url.username = name;
    url.password = 'stranger';
    return url.toString();
  };

  return {
    emu, owner, readerUrl: reader.toString(), loginWithoutRoles, sync,
    marks: { beforeFirst, created, available, unavailable, renamed, retagged, deleted, restored },
    close: async () => {
      await emu.stop();
      await owner.close();
      await db.drop();
      for (const name of [login, ...strangers]) await admin.unsafe(`drop role if exists ${name}`).catch(() => undefined);
      await admin.end();
    },
  };
}
