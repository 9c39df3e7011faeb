import { describe, expect, it } from 'vitest';
import { findDuplicateKey, parseStrictJson } from '../src/strict-json.ts';

describe('parseStrictJson (issue 13, defect 8: duplicate JSON keys)', () => {
  it('parses JSON without repeated names as JSON.parse does', () => {
    const text = '{"a":1,"b":{"a":2,"c":[{"a":3},{"a":4}]},"s":"{\\"a\\":1,\\"a\\":2}"}';
    expect(parseStrictJson(text)).toEqual({ ok: true, value: JSON.parse(text) as unknown });
  });

  it.each([
    ['at the top level', '{"deviceId":"a","seq":1,"deviceId":"b"}', '/deviceId', 'deviceId'],
    ['spelled with an escape', '{"deviceId":"a","device\\u0049d":"b"}', '/deviceId', 'deviceId'],
    ['in a reading of an array', '{"readings":[{"value":1},{"value":2,"unit":"kWh","value":3}]}', '/readings/1/value', 'value'],
    ['after a nested object closed', '{"a":{"x":1},"b":[1,{"y":2}],"a":2}', '/a', 'a'],
    ['with a name holding / and ~', '{"x/~y":1,"x/~y":2}', '/x~1~0y', 'x/~y'],
  ])('finds a repeated name %s, with its JSON pointer', (_name, text, path, key) => {
    expect(parseStrictJson(text)).toEqual({ ok: false, fault: 'duplicate-key', duplicate: { path, key } });
  });

  it('does not mistake a string value, or the same name in sibling objects, for a repeat', () => {
    expect(findDuplicateKey('{"a":"a","b":"\\"a\\":","c":[{"a":1},{"a":1}],"d":{"a":{"a":1}}}')).toBeUndefined();
    expect(findDuplicateKey('{"a\\\\":1,"a":2}')).toBeUndefined();
  });

  it('reports a syntax error as such', () => {
    expect(parseStrictJson('{"a":1,')).toMatchObject({ ok: false, fault: 'syntax' });
  });
});
