import type { FigureV1 } from '@meterline/contracts';

const HOUR = 3_600_000;

/** An hour's consumption figure of a point as the aggregator publishes it: 100 kWh, fully covered, no flags. */
export function hourFigure(where: { enterpriseId: string; site: string; point: string; startMs: number }, over: Partial<FigureV1> = {}): FigureV1 {
  return {
    measurement: 'consumption',
    enterpriseId: where.enterpriseId,
    subject: { site: where.site, point: where.point, carrier: 'electricity', quantity: 'active-energy-import', role: 'sub-meter' },
    periodKind: 'hour',
    periodKey: new Date(where.startMs).toISOString(),
    startMs: where.startMs,
    endMs: where.startMs + HOUR,
    value: 100,
    unit: 'kWh',
    expandedUncertainty: 1,
    coveragePercent: 100,
    estimated: 0,
    flags: [],
    factorSet: 'cn-2023@1.0.0',
    registryVersion: 'r1',
    revision: 0,
    detail: {},
    ...over,
  };
}
