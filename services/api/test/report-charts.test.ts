import { describe, expect, it } from 'vitest';
import { gapBandChart } from '../src/reports/report-html/charts/gap-band.ts';
import { percentBars } from '../src/reports/report-html/charts/percent-bars.ts';
import { niceTicks } from '../src/reports/report-html/charts/scale.ts';
import { stackedBars } from '../src/reports/report-html/charts/stacked-bars.ts';

/** The attributes of every element of a kind that has `marker` among its attributes, in order. */
function elements(svg: string, tag: string, marker: string): Array<Record<string, string>> {
  return [...svg.matchAll(new RegExp(`<${tag} ([^>]*${marker}[^>]*)>`, 'g'))].map((m) => Object.fromEntries([...m[1]!.matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!])));
}

describe('report charts', () => {
  it('picks axis ticks 1, 2 or 5 × 10ⁿ apart that hold zero, and widens an empty range', () => {
    // -1 to 2 in about 5 steps: 3 / 5 = 0.6, the next nice step is 1.
    expect(niceTicks(-1, 2)).toEqual({ min: -1, max: 2, step: 1, values: [-1, 0, 1, 2] });
    // 0 to 0.37: 0.074 a step → 0.1; the top rounds up to 0.4, without float noise.
    expect(niceTicks(0, 0.37).values).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
    // All zeros: 0 to 1 (step 0.2); a single negative value: from it up to 0.
    expect(niceTicks(0, 0)).toMatchObject({ min: 0, max: 1, step: 0.2 });
    expect(niceTicks(-3, -3)).toMatchObject({ min: -3, max: 0, step: 1 });
  });

  it('stacks positive values up from zero and negative ones down from it, scaled to the axis', () => {
    const svg = stackedBars({
      title: 't',
      unit: 'tce',
      categories: ['d1', 'd2'],
      labels: ['1', '2'],
      series: [
        { name: 'gas', colour: '#111', values: [2, 0] },
        { name: 'export', colour: '#222', values: [-1, 0.5] },
      ],
    }).text;
    const rects = elements(svg, 'rect', 'data-series');
    // The axis is -1 to 2 (ticks above); the plot is 240 − 12 − 24 = 204 px tall: 68 px per tce, zero at 12 + 2 × 68 = 148.
    expect(svg).toContain('data-axis-min="-1" data-axis-max="2"');
    expect(rects.map((r) => [r['data-series'], r['data-category'], Number(r['y']), Number(r['height'])])).toEqual([
      ['gas', 'd1', 12, 136], // 0 to 2: y(2) = 12, 2 × 68
      ['export', 'd1', 148, 68], // 0 down to -1: from the zero line, 68
      ['export', 'd2', 114, 34], // 0 to 0.5: y(0.5) = 12 + 1.5 × 68 = 114, 34
    ]);
    // A zero draws no segment (gas on d2); the zero line is drawn.
    expect(svg).toMatch(/<line [^>]*y1="148" y2="148" class="zero"\/>/);
  });

  it('marks the categories whose coverage is below 100 % under their bar', () => {
    const svg = stackedBars({ title: 't', unit: 'tce', categories: ['d1', 'd2', 'd3'], labels: ['1', '2', '3'], series: [{ name: 'gas', colour: '#111', values: [1, 1, 0] }], partial: [false, true, true] }).text;
    expect(elements(svg, 'rect', 'data-partial').map((r) => r['data-partial'])).toEqual(['d2', 'd3']);
    expect(svg).toContain('coverage below 100 % (part of the day has no readings)');
    expect(stackedBars({ title: 't', unit: 'tce', categories: ['d1'], labels: ['1'], series: [] }).text).not.toContain('data-partial');
  });

  it('draws no bar and says "no data" for a month of zeros without series', () => {
    const svg = stackedBars({ title: 't', unit: 'tce', categories: ['d1'], labels: ['1'], series: [] }).text;
    expect(elements(svg, 'rect', 'data-series')).toEqual([]);
    expect(svg).toContain('data-axis-min="0" data-axis-max="1"');
    expect(svg).toContain('>no data</text>');
  });

  it('draws each balance gap with its U band, on an axis symmetric about zero', () => {
    const svg = gapBandChart('gaps', [
      // Input 1 000 kWh, gap 30 ± 10 kWh: 3 % ± 1 %, significant (30 > 10).
      { label: 'main', gapPercent: 3, uPercent: 1, significant: true },
      // Gap -0.5 % ± 2 %: the band holds zero, within its uncertainty.
      { label: 'hall', gapPercent: -0.5, uPercent: 2, significant: false },
      { label: 'idle', gapPercent: null, uPercent: null, significant: false },
    ]).text;
    // Reach: max(3 + 1, 0.5 + 2) = 4 → ticks of 2 from -4 to 4; 534 px wide from x = 170: 66.75 px per %.
    expect(svg).toContain('data-axis-min="-4" data-axis-max="4"');
    const bands = elements(svg, 'rect', 'data-band-from');
    expect(bands.map((b) => [b['data-node'], Number(b['data-band-from']), Number(b['data-band-to']), Number(b['x']), Number(b['width']), b['class']])).toEqual([
      ['main', 2, 4, 570.5, 133.5, 'band significant'], // x(2) = 170 + 6 × 66.75; 2 % wide
      ['hall', -2.5, 1.5, 270.13, 267, 'band within'], // x(-2.5) = 170 + 1.5 × 66.75 = 270.125; 4 % wide
    ]);
    expect(svg).toContain('no input: no percentage');
  });

  it('draws completeness bars against the regulator minimum, those below it in the warning class', () => {
    const svg = percentBars('completeness', [{ pointId: 'p1', percent: 45 }, { pointId: 'p2', percent: 100 }], 90).text;
    const bars = elements(svg, 'rect', 'data-percent');
    // 490 px for 100 %: 45 % is 220.5 px.
    expect(bars.map((b) => [b['data-point'], Number(b['width']), b['class']])).toEqual([
      ['p1', 220.5, 'bar low'],
      ['p2', 490, 'bar ok'],
    ]);
    // The threshold line at 170 + 0.9 × 490 = 611.
    expect(svg).toMatch(/<line x1="611" x2="611" [^>]*class="threshold" data-threshold="90"\/>/);
  });
});
