import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { emulatorBanner, loadCliSeed, registerEmulatorCommand, runEmulatorCommand } from '../../src/cli/commands/emulator.js';
import { fixtureSeed, A } from './fixture-seed.js';
import { ListCustomImagesRequest, sdkClient } from './sdk-client.js';

describe('swas-inventory emulator', () => {
  it('registers the subcommand with the options of the issue', () => {
    const program = new Command('swas-inventory');
    registerEmulatorCommand(program);
    const cmd = program.commands.find((c) => c.name() === 'emulator');
    expect(cmd?.options.map((o) => o.long)).toEqual(['--port', '--host', '--seed', '--access-key-id', '--access-key-secret', '--fault-seed',
      '--rate-limit', '--rate-window-ms', '--tls', '--ca-file', '--tls-cert', '--tls-key']);
    expect(cmd?.options.find((o) => o.long === '--port')?.defaultValue).toBe('9100');
    expect(cmd?.options.find((o) => o.long === '--host')?.defaultValue).toBe('127.0.0.1');
    expect(cmd?.options.find((o) => o.long === '--rate-limit')?.defaultValue).toBe('10');
  });

  it('prints http://127.0.0.1:PORT and the key pair, serves the SDK with --access-key-id/-secret, stops on abort', async () => {
    const stop = new AbortController();
    let printed = '';
    let resolvePrinted: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => { resolvePrinted = resolve; });
    const running = runEmulatorCommand(
      { port: '0', host: '127.0.0.1', faultSeed: '1', accessKeyId: 'LTAIcliKey', accessKeySecret: 'cliSecret' },
      stop.signal,
      (text) => { printed += text; resolvePrinted(); },
    );
    await ready;
    const url = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(printed);
    expect(url).not.toBeNull();
    // Lines a shell takes as they are (issue 22 #12: the banner printed no export lines).
    expect(printed).toContain(`\n  export SWAS_ENDPOINT=${url![1]}\n  export ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIcliKey\n  export ALIBABA_CLOUD_ACCESS_KEY_SECRET=cliSecret\n`);
    const res = await sdkClient(`127.0.0.1:${url![2]}`, { accessKeyId: 'LTAIcliKey', accessKeySecret: 'cliSecret' })
      .listCustomImages(new ListCustomImagesRequest({ regionId: 'cn-hangzhou' }));
    expect(res.body?.totalCount).toBe('12');
    stop.abort();
    await running;
    await expect(fetch(`${url![1]}/_emulator/health`)).rejects.toThrow();
  });

  it('the banner fits 80 columns (issue 22 #12: it wrapped), with export lines for plain and TLS emulators', () => {
    const info = {
      url: 'http://127.0.0.1:35859', endpoint: '127.0.0.1:35859', protocol: 'http', rateLimit: { limit: 10, windowMs: 1000 },
      credentials: [{ uid: '1605992674944142', accessKeyId: 'LTAI5tJeEYvRLCakxSMohvLs', accessKeySecret: 'cv9OuJUZPJtjHQDm1O9sYSp75q4z5H' }],
    };
    const plain = emulatorBanner(info);
    expect(plain).toBe([
      'SWAS emulator listening on http://127.0.0.1:35859 (Ctrl-C stops it)',
      'to sync from it, in another shell (account 1605992674944142):',
      '  export SWAS_ENDPOINT=http://127.0.0.1:35859',
      '  export ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI5tJeEYvRLCakxSMohvLs',
      '  export ALIBABA_CLOUD_ACCESS_KEY_SECRET=cv9OuJUZPJtjHQDm1O9sYSp75q4z5H',
      'accounts (uid, AccessKeyId, AccessKeySecret):',
      '  1605992674944142  LTAI5tJeEYvRLCakxSMohvLs  cv9OuJUZPJtjHQDm1O9sYSp75q4z5H',
      "SDK: endpoint '127.0.0.1:35859', protocol 'http'",
      'admin API: http://127.0.0.1:35859/_emulator/state',
      'rate limit: 10 calls per 1000 ms per AccessKey (then Throttling.User;',
      '  --rate-limit 0 turns it off)',
      '',
    ].join('\n'));
    const tls = emulatorBanner({ ...info, url: 'https://127.0.0.1:35859', protocol: 'https', caFile: '/tmp/swas-emulator-ca-123456.pem' });
    expect(tls).toContain('  export SWAS_ENDPOINT=https://127.0.0.1:35859\n  export SWAS_CA_FILE=/tmp/swas-emulator-ca-123456.pem\n');
    for (const line of [...plain.split('\n'), ...tls.split('\n')]) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('loads a --seed file, and refuses half a key pair or a bad port', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'emu-seed-'));
    const file = path.join(dir, 'seed.json');
    await writeFile(file, JSON.stringify(fixtureSeed()));
    const seed = await loadCliSeed({ seed: file });
    expect(seed.accounts[0]?.accessKeys[0]?.accessKeyId).toBe(A.accessKeyId);
    await expect(loadCliSeed({ accessKeyId: 'only-id' })).rejects.toThrow(/go together/);
    await expect(runEmulatorCommand({ port: '70000', host: '127.0.0.1', faultSeed: '1' }, AbortSignal.abort())).rejects.toThrow(/--port/);
    await expect(runEmulatorCommand({ port: '0', host: '127.0.0.1', faultSeed: 'x' }, AbortSignal.abort())).rejects.toThrow(/--fault-seed/);
  });
});
