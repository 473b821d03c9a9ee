/**
 * A guard for one defect of postgres.js 3.4.9 (porsager/postgres#1192, #1205, #1223, open): on
 * every new connection the driver reads the server's array types with an internal query, from a
 * message handler that drops that query's promise. When the query fails (the connection is reset
 * by a Postgres restart, or the query is cancelled), the rejection reaches no code of ours and
 * Node ends the process for an unhandled rejection: a worker dies during a failover although
 * every query it made was answered with an error it handles (the driver fails them on their own
 * and re-opens the connection, which reads the types again).
 *
 * The guard lets exactly that rejection pass, with one line on stderr, and rethrows every other
 * unhandled rejection, so the process still dies of those as Node's default would (an uncaught
 * exception, printed, exit 1).
 */

/** Pure: is this the rejection of the driver's internal array-types query? */
export function isArrayTypesFetchFailure(reason: unknown): boolean {
  if (typeof reason !== 'object' || reason === null) return false;
  // postgres.js puts the failed query's text on the error (non-enumerable unless debug is on).
  const query = (reason as { query?: unknown }).query;
  return typeof query === 'string' && /from pg_catalog\.pg_type a\b/.test(query) && /typcategory\s*=\s*'A'/.test(query);
}

let installed = false;

/** Installs the guard once per process (every postgres.js client shares it). */
export function guardDriverDefects(report: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): void {
  if (installed) return;
  installed = true;
  process.on('unhandledRejection', (reason) => {
    if (!isArrayTypesFetchFailure(reason)) throw reason;
    const code = (reason as { code?: unknown }).code;
    report(`swas-inventory: a new Postgres connection failed while the driver read its type catalog (${typeof code === 'string' ? code : 'error'}); ignored, the driver re-opens it (porsager/postgres#1192)`);
  });
}
