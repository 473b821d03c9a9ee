import { publicState } from './admin-routes.js';
import type { CallRecord } from './call-log.js';
import { EmulatorState } from './emulator-state.js';
import type { FaultRule, FaultRuleInput } from './fault-rule-format.js';
import { generateSeed, type GenerateSeedOptions } from './generate-seed.js';
import type { PublicKey, StoredImage } from './image-store.js';
import type { KeyPatch } from './permissions-format.js';
import { parseRateLimit, RATE_LIMIT_OFF, type RateLimitSettings } from './call-rate-limit.js';
import type { ImageFieldsInput, ImagePatch, SeedDocument } from './seed-format.js';
import { EmulatorServer } from './server.js';
import { generateTlsIdentity } from './tls-certificate.js';

export { generateSeed, DEFAULT_SAMPLE_REGIONS, type GenerateSeedOptions } from './generate-seed.js';
export { parseSeed, type SeedDocument, type ImageFieldsInput, type ImagePatch, type ImageStatus } from './seed-format.js';
export { DEFAULT_REGIONS, regionEndpoint, type RegionInfo } from './regions.js';
export type { FaultRule, FaultRuleInput, OddTypeVariant } from './fault-rule-format.js';
export type { CallRecord } from './call-log.js';
export type { StoredImage, PublicKey } from './image-store.js';
export type { KeyPatch, KeyPermissionsInput, PermissionStatement, PrincipalType, KeyStatus } from './permissions-format.js';
export { DEFAULT_CLI_RATE_LIMIT, type RateLimitSettings } from './call-rate-limit.js';
export { customImageArn } from './authorize-call.js';
export type { WireCustomImage, ListCustomImagesBody } from './list-custom-images.js';
export { API_VERSION, ACTIONS } from './handle-api-call.js';
export { ApiError } from './api-error.js';

export interface StartEmulatorOptions {
  /** TCP port; 0 (the default) takes a free one. */
  port?: number;
  /** Interface to bind; default 127.0.0.1 (loopback: the admin API is unsigned). */
  host?: string;
  /**
   * The inventory: a seed document (docs/EMULATOR.md), or generator options. Default: a generated
   * sample for one account (generateSeed() with its defaults).
   */
  seed?: SeedDocument | GenerateSeedOptions;
  /** Seed of the fault PRNG (random latency, fault rates) and of generated image ids. Default 1. */
  faultSeed?: number;
  /** Fault rules active from the start. Default none. */
  faults?: FaultRuleInput[];
  /** The server clock, for clock-skew and STS-expiry tests. Default `() => new Date()`. */
  now?: () => Date;
  /**
   * The gateway's per-AccessKey call budget (`Throttling.User` past it). Default off here, so
   * tests see only the faults they ask for; the `emulator` command defaults to
   * DEFAULT_CLI_RATE_LIMIT (10 calls per second per AccessKey).
   */
  rateLimit?: RateLimitSettings;
  /**
   * Serve HTTPS only: `true` makes a throw-away CA and a loopback certificate at start (its CA PEM
   * is the handle's `caCert`); or give your own PEM `cert` (chain) and `key`. Default: plain HTTP.
   */
  tls?: true | { cert: string; key: string; caCert?: string };
  /**
   * Calls the log keeps (the oldest are dropped past it). Default 100,000; a benchmark that reads
   * a whole run of a large fleet from the log sizes it to the run (5,000 accounts x 27 calls).
   */
  callLogLimit?: number;
}

/** One AccessKey pair the emulator accepts, with the account it belongs to. */
export interface EmulatorAccount {
  uid: string;
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export interface EmulatorHandle {
  /** `http://127.0.0.1:PORT` (`https://` with `tls`) */
  url: string;
  /** `127.0.0.1:PORT`, what the SDK's Config wants as `endpoint` (with `protocol` below). */
  endpoint: string;
  protocol: 'http' | 'https';
  /** With `tls`: the PEM of the CA a client must trust (when known). */
  caCert?: string;
  port: number;
  host: string;
  /** One entry per account: its first AccessKey pair. */
  readonly accounts: EmulatorAccount[];
  /** Every AccessKey pair, STS credentials included. */
  readonly credentials: EmulatorAccount[];
  stop(): Promise<void>;
  createImage(input: ImageFieldsInput): StoredImage;
  updateImage(imageId: string, patch: ImagePatch): StoredImage;
  deleteImage(imageId: string): StoredImage;
  shareImage(imageId: string, accountUid: string): StoredImage;
  unshareImage(imageId: string, accountUid: string): StoredImage;
  images(filter?: { accountUid?: string; regionId?: string }): StoredImage[];
  setFaults(rules: FaultRuleInput[]): FaultRule[];
  addFault(rule: FaultRuleInput): FaultRule;
  removeFault(id: string): boolean;
  clearFaults(): void;
  faults(): FaultRule[];
  callLog(since?: number): CallRecord[];
  clearCallLog(): void;
  /** Same as GET /_emulator/state (no secrets). */
  state(): unknown;
  /** Back to the start seed, or to a new one: images, faults, call log and nonces cleared. */
  reset(seed?: SeedDocument): void;
  /** Every AccessKey without its secret or token: status and RAM permissions. */
  keys(): PublicKey[];
  /** Changes a key's status (`Active`/`Inactive`) or permissions (`null`: unrestricted) at run time. */
  updateKey(accessKeyId: string, patch: KeyPatch): PublicKey;
  rateLimit(): RateLimitSettings;
  setRateLimit(settings: RateLimitSettings): void;
  /** Calls answered Throttling.User by the rate limit (not by faults) since the last reset. */
  throttledCalls(): number;
  /** API requests received and not yet answered (e.g. held by a latency fault). */
  inFlight(): number;
}

function isSeedDocument(seed: SeedDocument | GenerateSeedOptions): seed is SeedDocument {
  return Array.isArray((seed as { accounts?: unknown }).accounts);
}

function listCredentials(state: EmulatorState, primaryOnly: boolean): EmulatorAccount[] {
  return state.store.accounts.flatMap((account) =>
    (primaryOnly ? account.accessKeys.slice(0, 1) : account.accessKeys).map((key) => ({
      uid: account.uid,
      accessKeyId: key.accessKeyId,
      accessKeySecret: key.accessKeySecret,
      ...(key.securityToken === undefined ? {} : { securityToken: key.securityToken }),
    })));
}

export async function startEmulator(options: StartEmulatorOptions = {}): Promise<EmulatorHandle> {
  const seedOption = options.seed ?? {};
  const seed = isSeedDocument(seedOption) ? seedOption : generateSeed(seedOption);
  const state = new EmulatorState(seed, options.now ?? (() => new Date()), options.faultSeed ?? 1, options.rateLimit ?? RATE_LIMIT_OFF, options.callLogLimit);
  for (const rule of options.faults ?? []) state.faults.add(rule);
  const host = options.host ?? '127.0.0.1';
  const tls = options.tls === true ? await generateTlsIdentity([host]) : options.tls;
  const server = new EmulatorServer(state, tls);
  const port = await server.listen(options.port ?? 0, host);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const protocol = tls ? 'https' : 'http';
  return {
    url: `${protocol}://${shownHost}:${port}`,
    endpoint: `${shownHost}:${port}`,
    protocol,
    ...(tls?.caCert === undefined ? {} : { caCert: tls.caCert }),
    port,
    host,
    get accounts() {
      return listCredentials(state, true);
    },
    get credentials() {
      return listCredentials(state, false);
    },
    stop: () => server.close(),
    createImage: (input) => state.store.createImage(input),
    updateImage: (id, patch) => state.store.updateImage(id, patch),
    deleteImage: (id) => state.store.deleteImage(id),
    shareImage: (id, uid) => state.store.shareImage(id, uid),
    unshareImage: (id, uid) => state.store.unshareImage(id, uid),
    images: (filter = {}) => state.store.all().filter((img) =>
      (filter.accountUid === undefined || img.ownerUid === filter.accountUid) && (filter.regionId === undefined || img.regionId === filter.regionId)),
    setFaults: (rules) => state.faults.set(rules),
    addFault: (rule) => state.faults.add(rule),
    removeFault: (id) => state.faults.remove(id),
    clearFaults: () => state.faults.clear(),
    faults: () => state.faults.list(),
    callLog: (since) => state.log.list(since),
    clearCallLog: () => state.log.clear(),
    state: () => publicState(state),
    reset: (newSeed) => state.reset(newSeed),
    keys: () => state.store.keys(),
    updateKey: (id, patch) => state.store.updateKey(id, patch),
    rateLimit: () => state.rateLimit.settings,
    setRateLimit: (settings) => state.rateLimit.set(parseRateLimit(settings)),
    throttledCalls: () => state.rateLimit.throttled,
    inFlight: () => server.inFlight,
  };
}
