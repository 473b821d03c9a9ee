/**
 * Group commit for small hot-path statements: requests made while a batch is in flight wait for
 * it to come back and then go out together, as ONE statement, so N concurrent regions cost one
 * round trip, one parse of a reply and (for writes) one commit instead of N. No request waits
 * for a timer: a lone request goes out at once, and batches grow only when the database is busy.
 *
 * A request never joins a batch already sent. That matters for clock readings (a listing's stamp
 * must be read after the listing asked for it, or an older listing could carry a later stamp
 * than a newer one); every answer a request receives was computed after it was made.
 *
 * When a batch of several requests fails with an error of the statement (`retryAlone` says
 * which), each is sent again on its own, so one bad request fails only itself (its neighbours may
 * have been fine) and each error is its own. An error of the connection fails them all at once:
 * sending each again would only open connections to a server that is going away.
 *
 * That error also fails the requests that queued while the batch was in flight. They waited on a
 * server that did not answer (a lost connection, or a statement past its timeout on a network path
 * gone silent); sent as the next batch they would wait again, a whole statement timeout more, with
 * nothing bounding that wait from when they were made: on a path silent for 60 s, the regions
 * queued behind the one stuck batch logged nothing for the whole silence (issue 20). Failed with
 * it, each request waits at most one statement's bound (the batch ahead was sent before it was
 * made), and the caller's own retry decides what to do next.
 *
 * Pure scheduling: the statement itself is the `send` the caller gives.
 */
export type SendBatch<Req, Res> = (requests: readonly Req[]) => Promise<readonly Res[]>;

export class StatementBatcher<Req, Res> {
  private queue: Array<{ request: Req; resolve: (r: Res) => void; reject: (e: unknown) => void }> = [];
  private inFlight = 0;

  constructor(
    private readonly send: SendBatch<Req, Res>,
    /** Batches in flight at once (each on its own connection). */
    private readonly maxInFlight = 1,
    /** Requests in one batch at most (bounds one statement's size and its locks' hold time). */
    private readonly maxBatch = 64,
    /** Whether a failed batch's requests are worth sending again one by one (default: always). */
    private readonly retryAlone: (error: unknown) => boolean = () => true,
  ) {}

  submit(request: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight += 1;
      // Fire and forget: run() settles every request's own promise and never rejects itself.
      void this.run(batch).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private async run(batch: StatementBatcher<Req, Res>['queue']): Promise<void> {
    try {
      const results = await this.send(batch.map((b) => b.request));
      if (results.length !== batch.length) throw new Error(`batched statement answered ${results.length} results for ${batch.length} requests`);
      batch.forEach((b, i) => b.resolve(results[i] as Res));
    } catch (error) {
      if (!this.retryAlone(error)) {
        // Not the statement's error: the requests queued behind this batch waited on the same
        // unanswering server and go with it (see the header).
        for (const b of [...batch, ...this.queue.splice(0)]) b.reject(error);
        return;
      }
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      // Alone, each request succeeds or fails on its own merits.
      await Promise.all(batch.map(async (b) => {
        try {
          const [result] = await this.send([b.request]);
          b.resolve(result as Res);
        } catch (own) {
          b.reject(own);
        }
      }));
    }
  }
}
