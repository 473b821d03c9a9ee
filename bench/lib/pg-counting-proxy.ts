/**
 * A TCP proxy in front of Postgres that counts what a client sends: statements (each Execute of
 * the extended protocol and each simple Query) and round trips (each time the client sends after
 * the server has answered, i.e. each time it waited). It counts any client and any version of our
 * code alike, which a hook inside one driver could not, and it records the local ports of its
 * upstream connections so the backends behind them can be found in pg_stat_activity (their CPU
 * is read from /proc). Runs in the bench process, never in the measured one.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface PgCounts {
  statements: number;
  roundTrips: number;
  connections: number;
}

export interface PgCountingProxy {
  port: number;
  counts(): PgCounts;
  /** Local ports of the upstream connections still open (their backends' client_port). */
  upstreamPorts(): number[];
  close(): Promise<void>;
}

/** Startup-phase codes: SSLRequest and GSSENCRequest are followed by another untyped message. */
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

/** Walks the frontend message stream chunk by chunk without copying message bodies. */
class FrontendParser {
  private header = Buffer.alloc(5);
  private headerFill = 0;
  private skip = 0;
  private untyped = true;

  constructor(private readonly onMessage: (type: string) => void) {}

  feed(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      const need = this.untyped ? 8 : 5;
      if (this.header.length < need) this.header = Buffer.alloc(8);
      const n = Math.min(need - this.headerFill, chunk.length - i);
      chunk.copy(this.header, this.headerFill, i, i + n);
      this.headerFill += n;
      i += n;
      if (this.headerFill < need) continue;
      this.headerFill = 0;
      if (this.untyped) {
        const length = this.header.readInt32BE(0);
        const code = this.header.readInt32BE(4);
        this.skip = length - 8;
        if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) this.untyped = false;
      } else {
        this.onMessage(String.fromCharCode(this.header[0] as number));
        this.skip = this.header.readInt32BE(1) - 4;
      }
    }
  }
}

export async function startPgCountingProxy(target: { host: string; port: number }): Promise<PgCountingProxy> {
  const counts: PgCounts = { statements: 0, roundTrips: 0, connections: 0 };
  const upstreams = new Set<Socket>();
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    counts.connections++;
    const upstream = connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    upstream.once('connect', () => upstreams.add(upstream));
    let answered = true;
    const parser = new FrontendParser((type) => {
      if (type === 'E' || type === 'Q') counts.statements++;
    });
    client.on('data', (chunk: Buffer) => {
      if (answered) counts.roundTrips++;
      answered = false;
      parser.feed(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      answered = true;
      client.write(chunk);
    });
    const end = (): void => {
      upstreams.delete(upstream);
      sockets.delete(client);
      sockets.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    counts: () => ({ ...counts }),
    upstreamPorts: () => [...upstreams].map((s) => s.localPort).filter((p): p is number => p !== undefined),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** `postgres://user@host:port/db` with host and port replaced by the proxy's. */
export function viaProxy(url: string, proxyPort: number): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(proxyPort);
  return u.toString();
}
