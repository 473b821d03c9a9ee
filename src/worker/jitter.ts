/** The shared policy's jitter (see src/sync/retry-policy.ts). */
export { withJitter } from '../sync/retry-policy.js';
