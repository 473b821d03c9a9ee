/**
 * One line per API call. Deliberately has no field for the AccessKeySecret or the security
 * token: the log is served over the admin API and printed in test failures.
 */
export interface CallRecord {
  seq: number;
  /** ISO time the call arrived. */
  time: string;
  action: string | null;
  accountUid: string | null;
  accessKeyId: string | null;
  region: string | null;
  page: number | null;
  pageSize: number | null;
  /** HTTP status sent, or 0 when the connection was reset / hung without a response. */
  status: number;
  /**
   * `Code` of an error body, 'OK', the transport fault ('reset', 'hang', 'truncate', 'malformed'),
   * or 'client-closed' when the client went away during injected latency.
   */
  code: string;
  /** Ids of the fault rules that fired on this call. */
  faults: string[];
  durationMs: number;
}

export class CallLog {
  private records: CallRecord[] = [];
  private seq = 0;

  constructor(private readonly maxRecords = 100_000) {}

  add(record: Omit<CallRecord, 'seq'>): CallRecord {
    this.seq += 1;
    const full = { seq: this.seq, ...record };
    this.records.push(full);
    // Drop the oldest in chunks, so a long benchmark stays bounded without shifting per call.
    if (this.records.length > this.maxRecords * 1.1) this.records = this.records.slice(-this.maxRecords);
    return full;
  }

  /** Records with seq > since (default all). */
  list(since = 0): CallRecord[] {
    return since <= 0 ? [...this.records] : this.records.filter((r) => r.seq > since);
  }

  clear(): void {
    this.records = [];
  }
}
