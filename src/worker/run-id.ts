import { createHash } from 'node:crypto';

/**
 * The run id of a plan job. A plan job that stalls (its worker was killed) runs again; deriving the
 * id from the job id makes the re-run continue the same run (same sync_runs row, same child job
 * ids) instead of starting a second one. Shaped as a UUID (version 5 layout) for `sync_runs.id`.
 */
export function runIdForJob(prefix: string, jobId: string): string {
  const hex = createHash('sha1').update(`${prefix}\u0000${jobId}`).digest('hex');
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16).padStart(2, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

/** Job ids may not contain `:` (BullMQ reserves it); `~` is in neither account names nor region ids, so ids stay unambiguous. */
export function regionJobId(runId: string, account: string, regionId: string): string {
  return `region~${runId}~${account}~${regionId}`;
}

export function accountJobId(runId: string, account: string): string {
  return `account~${runId}~${account}`;
}

export function finishJobId(runId: string): string {
  return `finish~${runId}`;
}
