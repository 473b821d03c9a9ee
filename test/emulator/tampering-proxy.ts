/**
 * A loopback HTTP proxy between the real SDK and the emulator that changes the request headers on
 * the way (after the SDK signed them), for gateway errors the SDK itself never provokes, such as
 * an Authorization header with a piece missing; and, when asked, the answers on the way back (a
 * gateway's 502 page, bytes that are not UTF-8). The SDK still parses the answer: its error mapping
 * is what the tests look at.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TamperingProxy {
  endpoint: string;
  stop(): Promise<void>;
}

/** An answer as it passes: the emulator's status, headers and body (request path and body given for matching). */
export interface PassingAnswer {
  /** The request's path with its query (an RPC call's Action and RegionId are there). */
  path: string;
  requestBody: string;
  statusCode: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Returns the answer to send instead, or null to pass it on unchanged. */
export type AnswerTamperer = (answer: PassingAnswer) => { statusCode: number; headers?: http.OutgoingHttpHeaders; body: Buffer | string } | null;

export async function startTamperingProxy(
  targetPort: number,
  tamper: (headers: http.IncomingHttpHeaders) => void = () => {},
  tamperAnswer?: AnswerTamperer,
): Promise<TamperingProxy> {
  const server = http.createServer((req, res) => {
    const headers = { ...req.headers };
    tamper(headers);
    const requestChunks: Buffer[] = [];
    req.on('data', (c: Buffer) => requestChunks.push(c));
    const upstream = http.request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers }, (answer) => {
      if (tamperAnswer === undefined) {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        const passing = { path: req.url ?? '', requestBody: Buffer.concat(requestChunks).toString('utf8'), statusCode: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) };
        const replaced = tamperAnswer(passing);
        const body = replaced === null ? passing.body : Buffer.from(replaced.body);
        const outHeaders = { ...(replaced?.headers ?? passing.headers), 'content-length': String(body.length) };
        delete outHeaders['transfer-encoding'];
        res.writeHead(replaced?.statusCode ?? passing.statusCode, outHeaders);
        res.end(body);
      });
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
