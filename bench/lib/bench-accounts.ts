/**
 * The sync's view of the emulator's accounts: `access_key` accounts whose accounts-file entries
 * name environment variables (as in production), with the env map that holds the keys.
 */
import type { Account } from '../../src/config/accounts.js';
import type { EmulatorKey } from './emulator-process.js';

export interface BenchAccounts {
  accounts: Account[];
  env: NodeJS.ProcessEnv;
}

export function benchAccounts(keys: readonly EmulatorKey[], callsPerSecond: number): BenchAccounts {
  const env: NodeJS.ProcessEnv = {};
  const accounts = keys.map((key, i): Account => {
    const id = `BENCH_AK_${i}`;
    const secret = `BENCH_SK_${i}`;
    env[id] = key.accessKeyId;
    env[secret] = key.accessKeySecret;
    return {
      name: `acct-${String(i).padStart(3, '0')}`,
      credentials: { type: 'access_key', accessKeyIdEnv: id, accessKeySecretEnv: secret },
      regions: { allow: null, deny: [] },
      callsPerSecond,
    };
  });
  return { accounts, env };
}
