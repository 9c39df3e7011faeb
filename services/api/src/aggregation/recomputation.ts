import type { FastifyBaseLogger } from 'fastify';
import type { AggregationJobV1 } from '@meterline/contracts';
import { calendarPeriod, type Enterprise } from '@meterline/domain';
import type { AggregationJobRequests } from '../context.ts';

/** How long an answer waits for a recomputation's job to be queued before it goes without it. */
const QUEUE_WAIT_MS = 5_000;

/** The on-demand job that recomputes an enterprise's months (YYYY-MM, ascending, at least one), in its own time zone. */
export function monthsJob(enterprise: Pick<Enterprise, 'id' | 'timeZone'>, months: readonly string[], jobId: string, requestedAt: string): AggregationJobV1 {
  return {
    v: 1,
    jobId,
    enterpriseId: enterprise.id,
    kinds: ['month'],
    fromMs: calendarPeriod(months[0]!, enterprise.timeZone).start,
    toMs: calendarPeriod(months[months.length - 1]!, enterprise.timeZone).end,
    origin: 'on-demand',
    requestedAt,
  };
}

/**
 * Queues a recomputation that an input stored already asked for (a manual entry, a target).
 * True once the job is queued; false without the jobs topic (no Kafka), when it does not
 * answer within QUEUE_WAIT_MS, or when it fails: the input is stored whatever happens here, so
 * a failure is logged, not answered, and the next scheduled run or a backfill restates it.
 * `what` names the input in the log ("manual entry", "target").
 */
export async function queueRecomputation(jobs: AggregationJobRequests | undefined, makeJob: () => AggregationJobV1, what: string, log: FastifyBaseLogger): Promise<boolean> {
  if (!jobs) return false;
  let job: AggregationJobV1 | undefined;
  try {
    job = makeJob();
    // Bounded: a topic that does not answer (missing, or Kafka down) must not hold the answer; the send goes on and logs its end.
    const queued = jobs.request(job);
    let timer: NodeJS.Timeout | undefined;
    const waiting = new Promise<'waiting'>((resolve) => (timer = setTimeout(() => resolve('waiting'), QUEUE_WAIT_MS)));
    const settled = await Promise.race([queued.then(() => 'queued' as const), waiting]).finally(() => clearTimeout(timer));
    if (settled === 'waiting') {
      const { jobId, enterpriseId, fromMs, toMs } = job;
      log.error({ jobId, enterpriseId, fromMs, toMs }, `${what} stored, but its recomputation was not queued within ${QUEUE_WAIT_MS} ms: answered without it; the next scheduled run or a backfill restates it`);
      queued.then(
        () => log.info({ jobId }, `the recomputation of a ${what} was queued late`),
        (error: unknown) => log.error({ err: error, jobId }, `the recomputation of a ${what} could not be queued`),
      );
      return false;
    }
    return true;
  } catch (error) {
    log.error({ err: error, jobId: job?.jobId }, `${what} stored, but its recomputation could not be queued: the next scheduled run or a backfill restates it`);
    return false;
  }
}
