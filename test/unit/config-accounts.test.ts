import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { accountAllowsRegion, AccountsFileError, loadAccounts, parseAccountsFile } from '../../src/config/accounts.js';

function fileError(json: unknown): AccountsFileError {
  try {
    parseAccountsFile(json, 'accounts.json', 5);
  } catch (err) {
    if (err instanceof AccountsFileError) return err;
    throw err;
  }
  throw new Error('expected parseAccountsFile to throw');
}

describe('loadAccounts', () => {
  it('without SWAS_CONFIG is one account "default" on the default credentials chain', () => {
    expect(loadAccounts({ accountsFile: null, callsPerSecond: 3 })).toEqual([
      { name: 'default', credentials: { type: 'env' }, regions: { allow: null, deny: [] }, callsPerSecond: 3 },
    ]);
  });

  it('reads the file SWAS_CONFIG names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'swas-accounts-'));
    const path = join(dir, 'accounts.json');
    writeFileSync(path, JSON.stringify({
      accounts: [
        { name: 'prod', credentials: { type: 'ram_role_arn', roleArn: 'acs:ram::1234567890:role/inventory', sourceProfile: 'base' }, regions: { deny: ['cn-nanjing'] }, callsPerSecond: 2 },
        { name: 'lab', credentials: { type: 'access_key', accessKeyIdEnv: 'LAB_AK_ID', accessKeySecretEnv: 'LAB_AK_SECRET', securityTokenEnv: 'LAB_STS' }, regions: { allow: ['cn-hangzhou'] } },
        { name: 'ecs', credentials: { type: 'ecs_ram_role' } },
        { name: 'cli', credentials: { type: 'profile', profile: 'ops' } },
      ],
    }));
    const accounts = loadAccounts({ accountsFile: path, callsPerSecond: 5 });
    expect(accounts.map((a) => [a.name, a.credentials.type, a.callsPerSecond])).toEqual([
      ['prod', 'ram_role_arn', 2], ['lab', 'access_key', 5], ['ecs', 'ecs_ram_role', 5], ['cli', 'profile', 5],
    ]);
    expect(accounts[0]?.regions).toEqual({ allow: null, deny: ['cn-nanjing'] });
    expect(accounts[1]?.regions).toEqual({ allow: ['cn-hangzhou'], deny: [] });
  });

  it('names SWAS_CONFIG and the path when the file is missing or not JSON', () => {
    expect(() => loadAccounts({ accountsFile: '/nonexistent/accounts.json', callsPerSecond: 5 })).toThrow(/\/nonexistent\/accounts\.json \(SWAS_CONFIG\)[\s\S]*ENOENT/);
    const dir = mkdtempSync(join(tmpdir(), 'swas-accounts-'));
    const path = join(dir, 'bad.json');
    writeFileSync(path, '{ accounts: ');
    expect(() => loadAccounts({ accountsFile: path, callsPerSecond: 5 })).toThrow(/not valid JSON/);
  });
});

describe('parseAccountsFile', () => {
  it('refuses an inline secret: secrets are named by environment variable only', () => {
    const err = fileError({ accounts: [{ name: 'a', credentials: { type: 'access_key', accessKeyIdEnv: 'A', accessKeySecretEnv: 'B', accessKeySecret: 'shh-secret' } }] });
    expect(err.issues.join('\n')).toMatch(/accounts\.0\.credentials/);
    expect(err.message).toMatch(/accessKeySecret/);
    expect(err.message).not.toContain('shh-secret');
  });

  it('refuses a secret value where an environment variable name belongs', () => {
    const err = fileError({ accounts: [{ name: 'a', credentials: { type: 'access_key', accessKeyIdEnv: 'LTAI5t/abc+def', accessKeySecretEnv: 'B' } }] });
    expect(err.message).toMatch(/accounts\.0\.credentials\.accessKeyIdEnv: must be the NAME of an environment variable/);
  });

  it.each([
    [{ accounts: [] }, /accounts: must list at least one account/],
    [{ accounts: [{ name: 'a', credentials: { type: 'password' } }] }, /accounts\.0\.credentials\.type/],
    [{ accounts: [{ name: 'has space', credentials: { type: 'env' } }] }, /accounts\.0\.name/],
    [{ accounts: [{ name: 'a', credentials: { type: 'env' } }, { name: 'a', credentials: { type: 'env' } }] }, /accounts\.1\.name: duplicate account name "a"/],
    [{ accounts: [{ name: 'a', credentials: { type: 'ram_role_arn', roleArn: 'inventory' } }] }, /accounts\.0\.credentials\.roleArn/],
    [{ accounts: [{ name: 'a', credentials: { type: 'env' }, regions: { allow: ['Hangzhou'] } }] }, /accounts\.0\.regions\.allow\.0/],
    [{ accounts: [{ name: 'a', credentials: { type: 'env' }, callsPerSecond: 0 }] }, /accounts\.0\.callsPerSecond/],
    [{ acounts: [] }, /acounts|accounts/],
  ])('rejects %j with an error naming the field', (json, pattern) => {
    expect(fileError(json).message).toMatch(pattern);
  });
});

describe('accountAllowsRegion', () => {
  const account = (allow: string[] | null, deny: string[]) =>
    ({ name: 'a', credentials: { type: 'env' as const }, regions: { allow, deny }, callsPerSecond: 1 });

  it('allows every region by default, and deny wins over allow', () => {
    expect(accountAllowsRegion(account(null, []), 'us-west-1')).toBe(true);
    expect(accountAllowsRegion(account(['cn-hangzhou'], []), 'us-west-1')).toBe(false);
    expect(accountAllowsRegion(account(['cn-hangzhou'], ['cn-hangzhou']), 'cn-hangzhou')).toBe(false);
    expect(accountAllowsRegion(account(null, ['cn-nanjing']), 'cn-nanjing')).toBe(false);
  });
});
