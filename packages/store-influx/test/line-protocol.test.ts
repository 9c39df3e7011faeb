import { Point } from '@influxdata/influxdb-client';
import { describe, expect, it } from 'vitest';
import type { SeriesPoint } from '@meterline/store';
import { lineOf } from '../src/line-protocol.ts';

/** The client library's own line for a point, with millisecond timestamps as the store writes them. */
function clientLine(p: SeriesPoint): string | undefined {
  const point = new Point(p.measurement).timestamp(p.timestampMs);
  for (const [k, v] of Object.entries(p.tags)) point.tag(k, v);
  for (const [k, v] of Object.entries(p.fields)) {
    if (typeof v === 'number') point.floatField(k, v);
    else if (typeof v === 'boolean') point.booleanField(k, v);
    else point.stringField(k, v);
  }
  return point.toLineProtocol();
}

const T = Date.UTC(2026, 2, 1, 0, 15);

describe('line protocol written without the client\'s Point (issue 17)', () => {
  const cases: Record<string, SeriesPoint> = {
    'a stored reading': {
      measurement: 'reading',
      tags: { point: 'cq-e-main', enterprise: 'cq-auto', site: 'cq-plant-a', carrier: 'electricity', quantity: 'active-energy-import' },
      fields: { value: 1234.5, quality: 'good', device: 'cq-gw-01', verified: false },
      timestampMs: T,
    },
    'special characters in every position': {
      measurement: 'my measure,ment=x',
      tags: { 'tag key,=': 'value with space,comma=equals', 'tab\tkey': 'new\nline', quote: '"quoted" \\back' },
      fields: { 'field key': 'say "hi" \\ there, = ok', 'a,b=c': true, n: -0, note: 'line one\nline two\ttab' },
      timestampMs: T,
    },
    'floats as JavaScript prints them': {
      measurement: 'figure',
      tags: {},
      fields: { tiny: 5e-324, big: 1e21, third: 1 / 3, whole: 42, negative: -17.25, point1: 0.1 },
      timestampMs: 0,
    },
    'empty tag values left out, fields and tags sorted': { measurement: 'm', tags: { z: 'last', a: '', m: 'mid' }, fields: { b: 2, a: 1, c: 'x' }, timestampMs: T },
    'unicode in tags and strings': { measurement: '能耗', tags: { 企业: '重庆 汽车' }, fields: { 说明: '标准煤 "tce"' }, timestampMs: T },
  };

  for (const [name, point] of Object.entries(cases)) {
    it(`writes ${name} as the client library does`, () => {
      const expected = clientLine(point);
      expect(expected).toBeDefined();
      expect(lineOf(point)).toBe(expected);
    });
  }

  it('writes points of alternating shapes as the client does, whichever shape it saw before', () => {
    // The key orders are remembered per shape: the same keys inserted in another order, a key
    // more or less, and more shapes than it remembers must each still come out right.
    const shapes = (i: number): SeriesPoint[] => [
      { measurement: 'figure', tags: { point: `p${i}`, enterprise: 'e' }, fields: { value: i, unit: 'kWh', tce: i / 7 }, timestampMs: T + i },
      { measurement: 'figure', tags: { enterprise: 'e', point: `p${i}` }, fields: { tce: i / 3, value: i, unit: 'kWh' }, timestampMs: T + i },
      { measurement: 'figure', tags: { enterprise: 'e', point: '' }, fields: { value: i, unit: 'kWh', tce: i, extra: `x ${i}` }, timestampMs: T },
      { measurement: 'other m', tags: { [`k${i % 40}`]: `v,${i}` }, fields: { [`f ${i % 40}`]: i % 2 === 0, '': 1, n: -i }, timestampMs: T },
    ];
    for (let i = 0; i < 120; i++) {
      for (const point of shapes(i)) expect(lineOf(point)).toBe(clientLine(point));
    }
  });

  it('writes no line for a point without fields, as the client leaves such a point out', () => {
    const bare: SeriesPoint = { measurement: 'm', tags: { a: 'b' }, fields: {}, timestampMs: T };
    expect(clientLine(bare)).toBeUndefined();
    expect(lineOf(bare)).toBeUndefined();
  });

  it('refuses a float InfluxDB cannot store', () => {
    expect(() => lineOf({ measurement: 'm', tags: {}, fields: { value: Number.NaN }, timestampMs: T })).toThrow(RangeError);
    expect(() => lineOf({ measurement: 'm', tags: {}, fields: { value: Infinity }, timestampMs: T })).toThrow("invalid float value for field 'value'");
  });
});
