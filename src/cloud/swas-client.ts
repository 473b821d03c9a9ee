/**
 * SDK clients, one per (account, endpoint), created lazily and kept in a bounded cache (least
 * recently used out first). Each holds its account's Credential, which is kept per account for the
 * process lifetime, so STS tokens are reused whether or not the client is. With SWAS_ENDPOINT set
 * every call goes to that one place; otherwise ListRegions goes to a fixed discovery endpoint and
 * each region to the `RegionEndpoint` ListRegions returned.
 *
 * Why bounded: without SWAS_ENDPOINT an account has 26 clients (one per region endpoint), about
 * 0.47 KB each: 12.5 KB an account kept forever, 125 MB at 10,000 accounts (issue 24). A client
 * costs about 5 us to build, and a run uses each (account, region) once, so rebuilding one is
 * cheap. Connections are not per client: every client sends through httpx's one keep-alive agent
 * per protocol (sockets bounded by the calls in flight per host, test/integration/sdk-connections).
 *
 * Retries: none here. The SDK only retries when `Config.retryOptions` is set (never done here)
 * and every call gets `autoretry: false`, so one call is one HTTP request; the queue owns retries.
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import swasModule from '@alicloud/swas-open20200601';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';
import type { Account } from '../config/accounts.js';
import { ConfigError, type Config, type EndpointOverride } from '../config/env.js';
import { createCredential, type SdkCredential } from './credentials.js';
import { readResponseBodiesStrictly } from './response-body.js';

// CommonJS with `exports.default`: Node's ESM loader hands us the module object, while vite/vitest
// already unwrap `default`. Accept both.
const SwasClient = (swasModule.default ?? swasModule) as typeof swasModule.default;
export type SwasSdkClient = InstanceType<typeof SwasClient>;

/** Where one call goes: the SDK's `endpoint` (host[:port]) and protocol. */
export type Endpoint = EndpointOverride;

/**
 * ListRegions answers the same from any region's endpoint; cn-hangzhou is the service's home
 * region. (The SDK's own fallback, swas-open.aliyuncs.com, is not a documented endpoint.)
 */
export const DISCOVERY_ENDPOINT: Endpoint = { protocol: 'https', host: 'swas.cn-hangzhou.aliyuncs.com' };

export interface ApiCallInfo {
  account: string;
  action: 'ListRegions' | 'ListCustomImages';
  endpoint: Endpoint;
  regionId: string | null;
}

export interface SwasClientsOptions {
  config: Pick<Config, 'endpoint' | 'readTimeoutMs' | 'connectTimeoutMs'> & Partial<Pick<Config, 'caFile'>>;
  /** Awaited before every API call: the place for a per-account rate limiter and call metrics. */
  beforeCall?: (info: ApiCallInfo) => Promise<void> | void;
  /** Read for `access_key` accounts (the accounts file names the variables). Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** SDK clients kept at most (least recently used dropped first). Default DEFAULT_MAX_CLIENTS. */
  maxClients?: number;
}

/** About 0.5 MB of clients: more than the (account, region) pairs a worker has in flight at once. */
export const DEFAULT_MAX_CLIENTS = 1024;

export class SwasClients {
  private readonly clients = new Map<string, SwasSdkClient>();
  private readonly credentials = new Map<string, SdkCredential>();
  private readonly ca: string | undefined;
  private readonly maxClients: number;

  constructor(private readonly options: SwasClientsOptions) {
    this.maxClients = options.maxClients ?? DEFAULT_MAX_CLIENTS;
    if (!Number.isInteger(this.maxClients) || this.maxClients < 1) throw new RangeError(`maxClients must be a positive integer, got ${this.maxClients}`);
    // A 5xx with an HTML body keeps its status; a body that is not UTF-8 fails its call (response-body.ts).
    readResponseBodiesStrictly();
    this.ca = trustedCas(options.config.caFile ?? null);
  }

  /** Where ListRegions goes. */
  discoveryEndpoint(): Endpoint {
    return this.options.config.endpoint ?? DISCOVERY_ENDPOINT;
  }

  /** Where a region's calls go: SWAS_ENDPOINT if set, else ListRegions' RegionEndpoint (or the documented pattern if it gave none). */
  regionEndpoint(regionId: string, regionEndpoint: string | null | undefined): Endpoint {
    if (this.options.config.endpoint !== null) return this.options.config.endpoint;
    const host = regionEndpoint !== undefined && regionEndpoint !== null && regionEndpoint.trim() !== ''
      ? regionEndpoint.trim()
      : `swas.${regionId}.aliyuncs.com`;
    return { protocol: 'https', host };
  }

  /** How many SDK clients are cached now (at most maxClients). */
  get cachedClients(): number {
    return this.clients.size;
  }

  /** The client of (account, endpoint): the cached one, or a new one that may push the least recently used out. */
  client(account: Account, endpoint: Endpoint): SwasSdkClient {
    const key = `${account.name}\u0000${endpoint.protocol}://${endpoint.host}`;
    let client = this.clients.get(key);
    if (client !== undefined) {
      // Map order is insertion order: re-inserting makes it the most recently used.
      this.clients.delete(key);
      this.clients.set(key, client);
    } else {
      client = new SwasClient(new $OpenApiUtil.Config({
        credential: this.credential(account),
        endpoint: endpoint.host,
        protocol: endpoint.protocol,
        ...(this.ca === undefined ? {} : { ca: this.ca }),
        readTimeout: this.options.config.readTimeoutMs,
        connectTimeout: this.options.config.connectTimeoutMs,
        // A fixed UA makes our traffic identifiable in ActionTrail and in the emulator's logs.
        userAgent: 'swas-inventory',
      }));
      this.clients.set(key, client);
      // A call in flight keeps its own reference: dropping its client here only ends the caching.
      if (this.clients.size > this.maxClients) this.clients.delete(this.clients.keys().next().value as string);
    }
    return client;
  }

  /** Call before each API call (rate limit, metrics). */
  async beforeCall(info: ApiCallInfo): Promise<void> {
    await this.options.beforeCall?.(info);
  }

  private credential(account: Account): SdkCredential {
    let credential = this.credentials.get(account.name);
    if (credential === undefined) {
      credential = createCredential(account.credentials, this.options.env);
      this.credentials.set(account.name, credential);
    }
    return credential;
  }
}

/**
 * The SDK passes `ca` to Node's TLS as the whole trust list (it replaces the bundled roots), so
 * the file's CAs are added to Node's roots: real endpoints keep verifying with SWAS_CA_FILE set.
 */
function trustedCas(caFile: string | null): string | undefined {
  if (caFile === null) return undefined;
  let pem: string;
  try {
    pem = readFileSync(caFile, 'utf8');
  } catch (error) {
    throw new ConfigError([`SWAS_CA_FILE: cannot read ${caFile} (${(error as NodeJS.ErrnoException).code ?? 'error'}); it must name a PEM file of CA certificates`]);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError([`SWAS_CA_FILE: ${caFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`]);
  return [...rootCertificates, pem.trim()].join('\n');
}

/** RuntimeOptions for one call: no SDK-side retry (retries belong to the queue). */
export function singleAttemptRuntime(): $dara.RuntimeOptions {
  return new $dara.RuntimeOptions({ autoretry: false, maxAttempts: 1 });
}
