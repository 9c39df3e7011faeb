import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DERIVED, MEASURED, WORKED_EXAMPLES, capacity, capacityTable, expectedRecordsPerPayload, perMessageAndPerReadingSeconds } from '../capacity-model.ts';

const province = { name: 'province', enterprises: 2_000, pointsPerEnterprise: 300, intervalSeconds: 60, readingsPerPayload: 30 };

describe('capacity model (docs/capacity.md)', () => {
  it('solves ingest costs that give back both measured peaks', () => {
    const { perMessage, perReading } = perMessageAndPerReadingSeconds();
    expect(1 / (perMessage + perReading)).toBeCloseTo(MEASURED.pipelinePeakSingleMessagesPerSecond, 6);
    expect(100 / (perMessage + 100 * perReading)).toBeCloseTo(MEASURED.pipelinePeakBatchedReadingsPerSecond, 6);
    expect(perMessage).toBeGreaterThan(0);
    expect(perReading).toBeGreaterThan(0);
  });

  it('counts the partitions a payload touches: one reading one record, many readings at most one record per partition', () => {
    expect(expectedRecordsPerPayload(1, 6)).toBe(1);
    expect(expectedRecordsPerPayload(30, 6)).toBeCloseTo(6 * (1 - (5 / 6) ** 30), 12);
    expect(expectedRecordsPerPayload(1_000, 6)).toBeCloseTo(6, 6);
    expect(expectedRecordsPerPayload(100, 48)).toBeLessThan(48);
  });

  it('a single-reading record is its envelope plus one reading, as the bench records measured (394.5 bytes)', () => {
    expect(MEASURED.kafkaRecordEnvelopeBytes + MEASURED.kafkaBytesPerReadingInRecord).toBeCloseTo(394.5, -1);
  });

  it('works out the issue 18 province: 2 000 enterprises × 300 points read every minute', () => {
    const c = capacity(province);
    expect(c.points).toBe(600_000);
    expect(c.readingsPerSecond).toBe(10_000);
    expect(c.messagesPerSecond).toBeCloseTo(333.33, 2);
    expect(c.readingsPerYear).toBe(600_000 * 525_600);
    expect(c.series).toBe(600_000 * DERIVED.seriesPerPoint + 20_000 * 2 + 2_000 * DERIVED.seriesPerEnterprise);
    expect(c.figuresPerSecond).toBeCloseTo(((600_000 + 2_000 * 12) * DERIVED.pointFiguresPerDay) / 86_400, 9);
    expect(c.ingestInstances).toBe(2);
    expect(c.readingsPartitions).toBe(6);
  });

  it('adds instances and partitions as the load grows, never fewer than two instances', () => {
    const nation = capacity({ ...province, enterprises: 20_000 });
    expect(nation.ingestInstances).toBeGreaterThan(2);
    expect(nation.readingsPartitions).toBeGreaterThanOrEqual(2 * nation.writerInstances);
    expect(nation.readingsPartitions % 6).toBe(0);
    expect(capacity({ ...province, enterprises: 1, pointsPerEnterprise: 1 }).aggregatorInstances).toBe(2);
  });

  it('takes the partitions it is given, and fewer readings share a record on more partitions', () => {
    const six = capacity({ ...province, readingsPartitions: 6 });
    const fortyEight = capacity({ ...province, readingsPartitions: 48 });
    expect(fortyEight.readingsPartitions).toBe(48);
    expect(fortyEight.readingsPerRecord).toBeLessThan(six.readingsPerRecord);
    expect(fortyEight.kafkaMegabytesPerSecond).toBeGreaterThan(six.kafkaMegabytesPerSecond);
  });

  it('is what docs/capacity.md shows for its worked examples (run `pnpm exec tsx scripts/capacity.ts` and paste the table when this fails)', () => {
    const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'capacity.md'), 'utf8');
    expect(doc).toContain(capacityTable(WORKED_EXAMPLES));
  });
});
