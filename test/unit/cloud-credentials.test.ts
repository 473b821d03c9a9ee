import { describe, expect, it } from 'vitest';
import { createCredential, CredentialConfigError } from '../../src/cloud/credentials.js';
import { DISCOVERY_ENDPOINT, SwasClients } from '../../src/cloud/swas-client.js';
import type { Account } from '../../src/config/accounts.js';

const account = (name: string, credentials: Account['credentials']): Account =>
  ({ name, credentials, regions: { allow: null, deny: [] }, callsPerSecond: 5 });

describe('createCredential', () => {
  it('reads an access_key account from the environment variables it names', async () => {
    const cred = createCredential({ type: 'access_key', accessKeyIdEnv: 'LAB_ID', accessKeySecretEnv: 'LAB_SECRET' }, { LAB_ID: 'id-1', LAB_SECRET: 'secret-1' });
    expect(await cred.getCredential()).toMatchObject({ accessKeyId: 'id-1', accessKeySecret: 'secret-1', type: 'access_key' });
  });

  it('builds STS credentials when a security token variable is named', async () => {
    const cred = createCredential(
      { type: 'access_key', accessKeyIdEnv: 'A', accessKeySecretEnv: 'B', securityTokenEnv: 'C' },
      { A: 'STS.id', B: 'sec', C: 'token' },
    );
    expect(await cred.getCredential()).toMatchObject({ accessKeyId: 'STS.id', securityToken: 'token', type: 'sts' });
  });

  it('names the unset variable, permanently, without any value', () => {
    const build = () => createCredential({ type: 'access_key', accessKeyIdEnv: 'LAB_ID', accessKeySecretEnv: 'LAB_SECRET' }, { LAB_ID: 'id-visible' });
    expect(build).toThrow(CredentialConfigError);
    expect(build).toThrow(/LAB_SECRET is not set/);
    expect(build).not.toThrow(/id-visible/);
  });

  it('hands the other types to @alicloud/credentials providers without I/O at construction', () => {
    expect(() => createCredential({ type: 'env' })).not.toThrow();
    expect(() => createCredential({ type: 'profile', profile: 'ops' })).not.toThrow();
    expect(() => createCredential({ type: 'ecs_ram_role', roleName: 'inventory' })).not.toThrow();
    expect(() => createCredential({ type: 'ram_role_arn', roleArn: 'acs:ram::1:role/r' })).not.toThrow();
  });
});

describe('SwasClients', () => {
  const timeouts = { readTimeoutMs: 1000, connectTimeoutMs: 500 };
  const env = { A: 'id', B: 'secret' };
  const lab = account('lab', { type: 'access_key', accessKeyIdEnv: 'A', accessKeySecretEnv: 'B' });

  it('without SWAS_ENDPOINT: discovery on the fixed endpoint, regions on their RegionEndpoint over https', () => {
    const clients = new SwasClients({ config: { ...timeouts, endpoint: null }, env });
    expect(clients.discoveryEndpoint()).toEqual(DISCOVERY_ENDPOINT);
    expect(clients.regionEndpoint('cn-beijing', 'swas.cn-beijing.aliyuncs.com')).toEqual({ protocol: 'https', host: 'swas.cn-beijing.aliyuncs.com' });
    expect(clients.regionEndpoint('us-west-1', '')).toEqual({ protocol: 'https', host: 'swas.us-west-1.aliyuncs.com' });
  });

  it('with SWAS_ENDPOINT: every call goes there', () => {
    const endpoint = { protocol: 'http' as const, host: '127.0.0.1:9100' };
    const clients = new SwasClients({ config: { ...timeouts, endpoint }, env });
    expect(clients.discoveryEndpoint()).toEqual(endpoint);
    expect(clients.regionEndpoint('cn-beijing', 'swas.cn-beijing.aliyuncs.com')).toEqual(endpoint);
  });

  it('caches one client per (account, endpoint) with the configured endpoint, protocol and timeouts', () => {
    const clients = new SwasClients({ config: { ...timeouts, endpoint: null }, env });
    const hz = { protocol: 'https' as const, host: 'swas.cn-hangzhou.aliyuncs.com' };
    const bj = { protocol: 'https' as const, host: 'swas.cn-beijing.aliyuncs.com' };
    const a = clients.client(lab, hz);
    expect(clients.client(lab, { ...hz })).toBe(a);
    expect(clients.client(lab, bj)).not.toBe(a);
    expect(clients.client(account('other', { type: 'env' }), hz)).not.toBe(a);
    expect(a._endpoint).toBe('swas.cn-hangzhou.aliyuncs.com');
    expect(a._protocol).toBe('https');
    expect(a._readTimeout).toBe(1000);
    expect(a._connectTimeout).toBe(500);
    expect(a._retryOptions).toBeUndefined();
  });
});
