/**
 * How a Meterline service's Node process is started, wherever it runs: `./meterline up`, the
 * tests' service processes and the container image (infra/Dockerfile repeats these; keep them
 * equal). Measured with bench:ingest (issue 17), ingest's and the writer's peak RSS:
 *
 * - Node 24 lets the young generation grow to 128 MB under a high allocation rate, most of it
 *   garbage between scavenges (ingest: 128 MB young, 55 MB old, 60 MB heap in use). Capped at
 *   16 MB semi-spaces: ingest 432–437 → 339–351 MB, with no CPU change beyond run-to-run noise
 *   (ingest 0.096/0.078/0.068 → 0.094/0.080/0.068 CPU s per 10 000 readings at 20/40/80 k).
 *   8 MB: ingest 321–324 MB, CPU the same in one run; 16 keeps headroom for faster rates.
 *   Ingest alone has 8 MB since (issue 17: its aim is 256 MB at 80 000 readings/s in 100-reading
 *   payloads): its peak RSS 250 / 250 / 281 MB at 20 / 40 / 80 k with 16 MB, 224 / 226 / 260 and
 *   234 / 244 / 256 with 8 (two runs), its CPU per 10 000 readings 0.091 / 0.076 / 0.064 and
 *   0.091 / 0.076 / 0.065 (the first run with 8 MB; the second ran slower in every process,
 *   InfluxDB and Kafka too). The writer's CPU rose by 0.013–0.018 in that run, within the
 *   runs' spread, but with nothing to gain it stays at 16.
 * - glibc's malloc keeps an arena per thread that allocates; two arenas: the writer 258–336 →
 *   213–302 MB, ingest a further 6–12 MB less.
 */
export function serviceNodeFlags(service: string): readonly string[] {
  return [`--max-semi-space-size=${service === 'ingest' ? 8 : 16}`];
}
export const SERVICE_PROCESS_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };
