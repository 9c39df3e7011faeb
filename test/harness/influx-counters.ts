/** What InfluxDB's HTTP service has been asked since it started, whoever asked (its `/debug/vars`). */
export interface InfluxRequestCounters {
  writeRequests: number;
  pointsWritten: number;
  queryRequests: number;
  /** Seconds spent answering queries, summed over requests (concurrent ones each count). */
  querySeconds: number;
}

interface HttpdValues {
  writeReq?: number;
  pointsWrittenOK?: number;
  queryReq?: number;
  queryReqDurationNs?: number;
}

/** InfluxDB 1.8's own request counters; undefined when it does not serve them. */
export async function influxRequestCounters(url: string): Promise<InfluxRequestCounters | undefined> {
  const response = await fetch(`${url}/debug/vars`, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
  if (!response?.ok) return undefined;
  // One entry per HTTP listener, keyed `httpd:<bind address>`.
  const vars = (await response.json()) as Record<string, { name?: string; values?: HttpdValues }>;
  const values = Object.values(vars).find((v) => v.name === 'httpd')?.values;
  if (values === undefined) return undefined;
  return {
    writeRequests: values.writeReq ?? 0,
    pointsWritten: values.pointsWrittenOK ?? 0,
    queryRequests: values.queryReq ?? 0,
    querySeconds: (values.queryReqDurationNs ?? 0) / 1e9,
  };
}
