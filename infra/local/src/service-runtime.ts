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
 * - glibc's malloc keeps an arena per thread that allocates; two arenas: the writer 258–336 →
 *   213–302 MB, ingest a further 6–12 MB less.
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=16'];
export const SERVICE_PROCESS_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };
