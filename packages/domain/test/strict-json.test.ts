import { describe, expect, it } from 'vitest';
import { findDuplicateKey, parseStrictJson } from '../src/strict-json.ts';

describe('parseStrictJson (issue 13, defect 8: duplicate JSON keys; the registry reads JSON manifests with it too)', () => {
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
    ['with whitespace around the colon', '{ "a" : 1 ,\n\t"a"\r\n: 2 }', '/a', 'a'],
    ['named __proto__', '{"__proto__":{"x":1},"__proto__":{"y":2}}', '/__proto__', '__proto__'],
    ['holding an escaped quote', '{"q\\"":1,"q\\"":2}', '/q"', 'q"'],
    ['deep in arrays of arrays', '[[{"k":[{}]}],[[{"k":1,"k":2}]]]', '/1/0/0/k', 'k'],
  ])('finds a repeated name %s, with its JSON pointer', (_name, text, path, key) => {
    expect(parseStrictJson(text)).toEqual({ ok: false, fault: 'duplicate-key', duplicate: { path, key } });
  });

  it('does not mistake a string value, or the same name in sibling objects, for a repeat', () => {
    expect(findDuplicateKey('{"a":"a","b":"\\"a\\":","c":[{"a":1},{"a":1}],"d":{"a":{"a":1}}}')).toBeUndefined();
    expect(findDuplicateKey('{"a\\\\":1,"a":2}')).toBeUndefined();
  });

  it.each([
    ['strings that look like names', '{"a":"\\":","b":["a:","\\":",":"],"c":"\\"c\\"  :"}'],
    ['empty objects and arrays', '{"a":{},"b":[],"c":[{},[]],"d":{"e":{}}}'],
    ['a single __proto__ member', '{"__proto__":{"x":1},"y":2}'],
    ['whitespace everywhere', ' { "a" :\n[ 1 , { "a" : 2 } ] , "b" : "a" } '],
    ['no object at all', '[1,"a",null,true]'],
  ])('accepts a text without repeats: %s', (_name, text) => {
    expect(parseStrictJson(text)).toEqual({ ok: true, value: JSON.parse(text) as unknown });
  });

  it('survives nesting as deep as JSON.parse takes, and still finds a repeat at the bottom', () => {
    const depth = 200_000;
    const deep = `${'['.repeat(depth)}{"a":1}${']'.repeat(depth)}`;
    expect(parseStrictJson(deep)).toMatchObject({ ok: true });
    const repeated = `${'{"x":'.repeat(depth)}{"a":1,"a":2}${'}'.repeat(depth)}`;
    expect(parseStrictJson(repeated)).toMatchObject({ ok: false, fault: 'duplicate-key', duplicate: { key: 'a' } });
  });

  it('reports a syntax error as such', () => {
    expect(parseStrictJson('{"a":1,')).toMatchObject({ ok: false, fault: 'syntax' });
  });
});
