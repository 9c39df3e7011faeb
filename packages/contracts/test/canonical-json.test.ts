import { describe, expect, it } from 'vitest';
import { canonicalJson, NotIJsonError, type Json } from '../src/canonical-json.ts';

/**
 * RFC 8785 (JSON Canonicalization Scheme) test vectors: the examples of sections 3.2.2,
 * 3.2.3 and 3.2.4, the number samples of Appendix B, and the input/output pairs of the
 * reference implementation's test data (cyberphone/json-canonicalization, testdata/).
 * Inputs are JSON texts as given there, parsed as a receiver would parse them.
 */
const canonical = (jsonText: string) => canonicalJson(JSON.parse(jsonText) as Json);
const utf8Hex = (s: string) => Buffer.from(s, 'utf8').toString('hex').replace(/(..)(?!$)/g, '$1 ');

describe('canonicalJson: RFC 8785 examples', () => {
  // Section 3.2.2: primitives; numbers as ECMAScript serialises them, strings with minimal escapes.
  const values = String.raw`{
    "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
    "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
    "literals": [null, true, false]
  }`;

  it('section 3.2.2: serialises literals, numbers and strings', () => {
    expect(canonical(values)).toBe(String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`);
  });

  it('section 3.2.4: and is sent as these UTF-8 bytes', () => {
    expect(utf8Hex(canonical(values))).toBe(
      [
        '7b 22 6c 69 74 65 72 61 6c 73 22 3a 5b 6e 75 6c 6c 2c 74 72 75 65 2c 66 61 6c 73 65 5d 2c 22 6e',
        '75 6d 62 65 72 73 22 3a 5b 33 33 33 33 33 33 33 33 33 2e 33 33 33 33 33 33 33 2c 31 65 2b 33 30',
        '2c 34 2e 35 2c 30 2e 30 30 32 2c 31 65 2d 32 37 5d 2c 22 73 74 72 69 6e 67 22 3a 22 e2 82 ac 24',
        '5c 75 30 30 30 66 5c 6e 41 27 42 5c 22 5c 5c 5c 5c 5c 22 2f 22 7d',
      ].join(' '),
    );
  });

  it('section 3.2.3: sorts members by their names as UTF-16 code units, not by code point or locale', () => {
    const weird = String.raw`{
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\u000a": "Newline",
      "1": "One",
      "\u0080": "Control\u007f",
      "\ud83d\ude02": "Smiley",
      "\u00f6": "Latin Small Letter O With Diaeresis",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "</script>": "Browser Challenge"
    }`;
    // U+1F602 (UTF-16 D83D DE02) sorts before U+FB33: by code point it would come after.
    expect(utf8Hex(canonical(weird))).toBe(
      [
        '7b 22 5c 6e 22 3a 22 4e 65 77 6c 69 6e 65 22 2c 22 5c 72 22 3a 22 43 61 72 72 69 61 67 65 20 52',
        '65 74 75 72 6e 22 2c 22 31 22 3a 22 4f 6e 65 22 2c 22 3c 2f 73 63 72 69 70 74 3e 22 3a 22 42 72',
        '6f 77 73 65 72 20 43 68 61 6c 6c 65 6e 67 65 22 2c 22 c2 80 22 3a 22 43 6f 6e 74 72 6f 6c 7f 22',
        '2c 22 c3 b6 22 3a 22 4c 61 74 69 6e 20 53 6d 61 6c 6c 20 4c 65 74 74 65 72 20 4f 20 57 69 74 68',
        '20 44 69 61 65 72 65 73 69 73 22 2c 22 e2 82 ac 22 3a 22 45 75 72 6f 20 53 69 67 6e 22 2c 22 f0',
        '9f 98 82 22 3a 22 53 6d 69 6c 65 79 22 2c 22 ef ac b3 22 3a 22 48 65 62 72 65 77 20 4c 65 74 74',
        '65 72 20 44 61 6c 65 74 20 57 69 74 68 20 44 61 67 65 73 68 22 7d',
      ].join(' '),
    );
  });
});

describe('canonicalJson: the reference implementation test data', () => {
  it.each([
    ['arrays', '[\n  56,\n  {\n    "d": true,\n    "10": null,\n    "1": [ ]\n  }\n]', '[56,{"1":[],"10":null,"d":true}]'],
    [
      'french (no locale: "péché" before "pêche")',
      '{\n  "peach": "This sorting order",\n  "péché": "is wrong according to French",\n  "pêche": "but canonicalization MUST",\n  "sin":   "ignore locale"\n}',
      '{"peach":"This sorting order","péché":"is wrong according to French","pêche":"but canonicalization MUST","sin":"ignore locale"}',
    ],
    [
      'structures (nested objects sorted at every level, 56.0 as 56)',
      '{\n  "1": {"f": {"f": "hi","F": 5} ,"\\n": 56.0},\n  "10": { },\n  "": "empty",\n  "a": { },\n  "111": [ {"e": "yes","E": "no" } ],\n  "A": { }\n}',
      '{"":"empty","1":{"\\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{"E":"no","e":"yes"}],"A":{},"a":{}}',
    ],
    // Not normalised: A followed by U+030A COMBINING RING ABOVE stays two code points.
    ['unicode (no normalisation)', '{\n  "Unnormalized Unicode":"A\\u030a"\n}', '{"Unnormalized Unicode":"A\u030a"}'],
  ])('%s', (_name, input, output) => {
    expect(canonical(input)).toBe(output);
  });
});

describe('canonicalJson: numbers (RFC 8785 Appendix B)', () => {
  const fromIeee754 = (hex: string) => {
    const view = new DataView(new ArrayBuffer(8));
    view.setBigUint64(0, BigInt(`0x${hex}`));
    return view.getFloat64(0);
  };

  it.each([
    ['0000000000000000', '0'],
    ['8000000000000000', '0'], // minus zero
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ])('IEEE 754 %s is %s', (hex, expected) => {
    expect(canonicalJson(fromIeee754(hex))).toBe(expected);
    expect(canonicalJson([fromIeee754(hex)])).toBe(`[${expected}]`);
  });

  it('gives small and large numbers the ECMAScript forms: 1e-7, 4.5, 0.002, 1e+30', () => {
    expect(canonicalJson({ a: 1e-7, b: 4.5, c: 0.002, d: 1e30, e: -0 })).toBe('{"a":1e-7,"b":4.5,"c":0.002,"d":1e+30,"e":0}');
  });

  it.each([
    ['7fffffffffffffff', 'NaN'],
    ['7ff0000000000000', 'Infinity'],
    ['fff0000000000000', '-Infinity'],
  ])('refuses %s (%s): it has no JSON form', (hex) => {
    expect(() => canonicalJson({ value: fromIeee754(hex) })).toThrow(NotIJsonError);
  });
});

describe('canonicalJson: input that is not I-JSON (RFC 8785 section 3.2.2.2)', () => {
  it('refuses a lone surrogate in a string or a member name', () => {
    expect(() => canonicalJson({ note: 'broken \udead here' })).toThrow(NotIJsonError);
    expect(() => canonicalJson({ ['\ud83d']: 1 })).toThrow(NotIJsonError);
    expect(() => canonicalJson(['\ude02\ud83d'])).toThrow(NotIJsonError);
  });

  it('takes a well-formed surrogate pair as the one character it is', () => {
    expect(canonicalJson({ smiley: '\ud83d\ude02' })).toBe('{"smiley":"😂"}');
  });
});
