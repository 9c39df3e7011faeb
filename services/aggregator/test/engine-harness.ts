import { expect } from 'vitest';
import type { FigureV1, RestatementV1 } from '@meterline/contracts';
import type { AccountingOptions, LimitStandards } from '@meterline/domain';
import { READINGS_MEASUREMENT, type UnreadableRow } from '@meterline/series';
import { InMemoryStore, type TimeSeriesStore } from '@meterline/store';
import type { AggregationDeps } from '../src/aggregate-enterprise.ts';
import type { BaselineUnfit } from '../src/judged/judge-baselines.ts';

/** The engine's dependencies for a test: a store (in-memory unless given), a publisher that keeps what it announced, and the baselines reported unfit. */
export function engineHarness(options: { accounting?: AccountingOptions; limits?: LimitStandards; store?: TimeSeriesStore } = {}) {
  const store = options.store ?? new InMemoryStore();
  const published: FigureV1[] = [];
  const restated: RestatementV1[] = [];
  const unfit: BaselineUnfit[] = [];
  const deps: AggregationDeps = {
    store,
    publisher: {
      publish(_enterpriseId, figures, restatements) {
        published.push(...figures);
        restated.push(...restatements);
        return Promise.resolve();
      },
    },
    readingsMeasurement: READINGS_MEASUREMENT,
    boundSearchMs: 35 * 86_400_000,
    writeChunkPoints: 500,
    accounting: options.accounting ?? {},
    onUnreadable: (row: UnreadableRow) => expect.fail(`${row.measurement} row unreadable: ${row.reason}`),
    onBaselineUnfit: (u) => unfit.push(u),
    ...(options.limits ? { limits: options.limits } : {}),
  };
  return { store, published, restated, unfit, deps };
}
