import { describe, expect, it } from 'vitest';
import { errorCatalogue } from '../src/index.ts';

describe('errorCatalogue', () => {
  const catalogue = errorCatalogue('@meterline/example', {
    MTL_EXAMPLE_DOWN: { meaning: 'the service cannot be reached', retryable: true, httpStatus: 503 },
    MTL_EXAMPLE_BAD_INPUT: { meaning: 'the input is not valid', retryable: false, exitCode: 65 },
    MTL_EXAMPLE_ANSWERED: { meaning: 'the service answered with an error', retryable: 'per-instance' },
  });

  it('answers whether a retry can help, from the entry or, per instance, from the cause', () => {
    expect(catalogue.canRetry('MTL_EXAMPLE_DOWN')).toBe(true);
    expect(catalogue.canRetry('MTL_EXAMPLE_BAD_INPUT')).toBe(false);
    expect(catalogue.canRetry('MTL_EXAMPLE_ANSWERED', false)).toBe(false);
    expect(catalogue.canRetry('MTL_EXAMPLE_ANSWERED', true)).toBe(true);
    expect(() => catalogue.canRetry('MTL_EXAMPLE_ANSWERED')).toThrow('MTL_EXAMPLE_ANSWERED is retryable per instance: the cause must say');
  });

  it('knows its codes', () => {
    expect(catalogue.codes).toEqual(['MTL_EXAMPLE_DOWN', 'MTL_EXAMPLE_BAD_INPUT', 'MTL_EXAMPLE_ANSWERED']);
    expect(catalogue.has('MTL_EXAMPLE_DOWN')).toBe(true);
    expect(catalogue.has('MTL_OTHER_DOWN')).toBe(false);
  });

  it.each([
    ['a code not in capitals', { mtl_example_x: { meaning: 'x', retryable: false } }, 'error code mtl_example_x is not MTL_<AREA>_<WHAT> in capitals'],
    ['a code without its area', { MTL_X: { meaning: 'x', retryable: false } }, 'error code MTL_X is not MTL_<AREA>_<WHAT> in capitals'],
    ['an empty meaning', { MTL_EXAMPLE_X: { meaning: ' ', retryable: false } }, 'error code MTL_EXAMPLE_X has no meaning'],
    ['a success status', { MTL_EXAMPLE_X: { meaning: 'x', retryable: false, httpStatus: 200 } }, 'has HTTP status 200, not an error status'],
    ['exit code 0', { MTL_EXAMPLE_X: { meaning: 'x', retryable: false, exitCode: 0 } }, 'has exit code 0, not 1 to 255'],
  ])('refuses %s when it is declared', (_what, entries, message) => {
    expect(() => errorCatalogue('@meterline/example', entries)).toThrow(message);
  });
});
