/**
 * A loopback TCP proxy that can go silent, as a network path that drops packets does: while silent
 * it accepts and reads but forwards nothing and closes nothing (bytes held, as TCP holds them in
 * retransmissions); on resume it delivers what it held, in order, then forwards again. A side that
 * closes while the path is silent is passed on only when the path returns (a silent path delivers
 * no FIN either). Used by the silent-path fault tests for Redis and Postgres (issue 20).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface SilentableProxy {
  port: number;
  silence(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startSilentableProxy(target: number, host = '127.0.0.1'): Promise<SilentableProxy> {
  let silent = false;
  const held: Array<() => void> = [];
  const sockets = new Set<Socket>();
  const forward = (from: Socket, to: Socket) => from.on('data', (chunk: Buffer) => {
    if (silent) held.push(() => to.write(chunk));
    else to.write(chunk);
  });
  const server: Server = createServer((client) => {
    const upstream = connect(target, host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => { sockets.delete(s); });
    }
    forward(client, upstream);
    forward(upstream, client);
    const closeOther = (other: Socket) => () => { if (silent) held.push(() => other.destroy()); else other.destroy(); };
    client.on('close', closeOther(upstream));
    upstream.on('close', closeOther(client));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    silence: () => { silent = true; },
    resume: () => {
      silent = false;
      for (const f of held.splice(0)) f();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
