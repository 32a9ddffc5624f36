/** Text Postgres can store: NUL and lone surrogates become U+FFFD, every place reported; depth is bounded. */
import { describe, expect, it } from 'vitest';
import { JsonTooDeepError, storableJson, storableText } from '../../machines/storable.js';

const FFFD = '\uFFFD';

describe('storableText', () => {
  const cases: Array<[string, string, string]> = [
    ['clean text stays the same', 'beacon to 10.0.0.1 — ünïcode 🚨', 'beacon to 10.0.0.1 — ünïcode 🚨'],
    ['NUL', 'a\u0000b', `a${FFFD}b`],
    ['a lone high surrogate', 'x\ud800y', `x${FFFD}y`],
    ['a lone low surrogate', 'x\udc00y', `x${FFFD}y`],
    ['a high surrogate at the end', 'x\ud83d', `x${FFFD}`],
    ['reversed pair', '\ude00\ud83d', `${FFFD}${FFFD}`],
    ['a valid pair stays', '\ud83d\ude00', '\ud83d\ude00'],
    ['many at once', '\u0000\u0000\ud800', `${FFFD}${FFFD}${FFFD}`],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => expect(storableText(input)).toBe(expected));
  }
  it('returns the very same string when nothing changes', () => {
    const text = 'plain';
    expect(storableText(text)).toBe(text);
  });
});

describe('storableJson', () => {
  it('cleans strings and keys at any place, listing each place', () => {
    const input = { title: 'a\u0000', raw: { 'k\ud800': ['ok', 'b\udc00'], n: 1, t: true, z: null } };
    const { value, normalisation } = storableJson(input, { path: 'body' });
    expect(value).toEqual({ title: `a${FFFD}`, raw: { [`k${FFFD}`]: ['ok', `b${FFFD}`], n: 1, t: true, z: null } });
    expect(normalisation).toEqual({ count: 3, paths: ['body.title', `body.raw.k${FFFD}.1`, `body.raw.k${FFFD}`] });
    expect(input.title, 'the input is not changed').toBe('a\u0000');
  });

  it('returns the same object when everything is clean', () => {
    const input = { a: [1, { b: 'c' }] };
    expect(storableJson(input).value).toBe(input);
  });

  it('keeps __proto__ as a plain key', () => {
    const input = JSON.parse('{"__proto__\\u0000": {"polluted": true}}') as Record<string, unknown>;
    const { value } = storableJson(input);
    expect(Object.keys(value)).toEqual([`__proto__${FFFD}`]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('lists at most 20 places but counts them all', () => {
    const { normalisation } = storableJson(Array.from({ length: 30 }, () => '\u0000'));
    expect(normalisation.count).toBe(30);
    expect(normalisation.paths).toHaveLength(20);
  });

  it('refuses JSON nested deeper than the limit, with the path where it happened', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 10_000; i += 1) deep = { a: deep };
    expect(() => storableJson(deep, { path: 'body' })).toThrow(JsonTooDeepError);
    let ok: unknown = 'leaf';
    for (let i = 0; i < 64; i += 1) ok = [ok];
    expect(() => storableJson(ok)).not.toThrow();
    expect(() => storableJson([ok])).toThrow(/nests deeper than 64/);
  });
});
