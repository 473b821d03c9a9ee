import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { loadCliSeed, registerEmulatorCommand, runEmulatorCommand } from '../../src/cli/commands/emulator.js';
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
    expect(printed).toContain('AccessKeyId LTAIcliKey  AccessKeySecret cliSecret');
    const res = await sdkClient(`127.0.0.1:${url![2]}`, { accessKeyId: 'LTAIcliKey', accessKeySecret: 'cliSecret' })
      .listCustomImages(new ListCustomImagesRequest({ regionId: 'cn-hangzhou' }));
    expect(res.body?.totalCount).toBe('12');
    stop.abort();
    await running;
    await expect(fetch(`${url![1]}/_emulator/health`)).rejects.toThrow();
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
