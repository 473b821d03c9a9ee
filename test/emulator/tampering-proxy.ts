/**
 * A loopback HTTP proxy between the real SDK and the emulator that changes the request headers on
 * the way (after the SDK signed them), for gateway errors the SDK itself never provokes, such as
 * an Authorization header with a piece missing. The SDK still parses the answer: its error mapping
 * is what the tests look at.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TamperingProxy {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startTamperingProxy(targetPort: number, tamper: (headers: http.IncomingHttpHeaders) => void): Promise<TamperingProxy> {
  const server = http.createServer((req, res) => {
    const headers = { ...req.headers };
    tamper(headers);
    const upstream = http.request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
