/** Reading a Prometheus text exposition (a worker's /metrics) in tests. */

/** The value of one series (`name{labels}`, labels in the order prom-client writes them), or undefined when absent. */
export function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** GETs `/metrics` of a worker's ops server; throws unless it answers 200. */
export async function scrapeMetrics(base: string): Promise<string> {
  const res = await fetch(`${base}/metrics`);
  if (res.status !== 200) throw new Error(`GET ${base}/metrics answered ${res.status}`);
  return res.text();
}
