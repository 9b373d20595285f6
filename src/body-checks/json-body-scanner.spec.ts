import { JsonBodyScanner, MAX_JSON_DEPTH, scanJson } from './json-body-scanner.js';

/** Feeds `text` to a scanner in chunks of `size` bytes. */
function scanInChunks(text: string, size: number) {
  const scanner = new JsonBodyScanner();
  const bytes = Buffer.from(text, 'utf8');
  for (let at = 0; at < bytes.length; at += size) scanner.write(bytes.subarray(at, at + size));
  return scanner.problem;
}

describe('JsonBodyScanner', () => {
  it.each([
    ['a flat object', '{"a":1,"b":"two","c":null}'],
    ['the same key in sibling objects', '{"a":{"x":1},"b":{"x":2},"c":[{"x":1},{"x":1}]}'],
    ['a key that reappears as a value', '{"a":"a","b":["a","a"]}'],
    ['quotes, braces and colons inside strings', '{"a":"\\"b\\":{[1,2]}","b\\"":"}"}'],
    ['keys differing only in case', '{"a":1,"A":2}'],
    ['non-ASCII keys', '{"é":1,"e\u0301":2,"📞":3}'],
    ['nesting at the limit', '['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH)],
    ['a scalar', '"hello"'],
  ])('passes %s', (_label, text) => {
    expect(scanJson(text)).toBeUndefined();
    expect(scanInChunks(text, 1)).toBeUndefined();
  });

  it.each([
    ['a repeated key', '{"a":1,"a":2}'],
    ['a repeated key in a nested object', '{"a":{"x":1,"y":2,"x":3}}'],
    ['a repeated key in an object inside an array', '{"a":[1,{"x":1,"x":1}]}'],
    ['a key repeated through an escape', '{"a":1,"\\u0061":2}'],
    ['a repeated key with escapes', '{"a\\"b":1,"a\\u0022b":2}'],
    ['a repeated non-ASCII key', '{"é":1,"\\u00e9":2}'],
  ])('finds %s', (_label, text) => {
    expect(scanJson(text)).toBe('duplicate-key');
    for (const size of [1, 2, 3, 7]) expect(scanInChunks(text, size)).toBe('duplicate-key');
  });

  it('finds nesting one level past the limit, in objects or arrays', () => {
    const depth = MAX_JSON_DEPTH + 1;
    expect(scanJson('['.repeat(depth) + ']'.repeat(depth))).toBe('too-deep');
    expect(scanJson('{"a":'.repeat(depth) + '1' + '}'.repeat(depth))).toBe('too-deep');
  });

  it('reads 1,500 nested arrays without recursion and stops at the limit', () => {
    const text = '['.repeat(1_500) + ']'.repeat(1_500);
    expect(scanJson(text)).toBe('too-deep');
    expect(scanJson(text, 10_000)).toBeUndefined();
  });

  it('reports the first problem and reads nothing after it', () => {
    const scanner = new JsonBodyScanner();
    scanner.write('{"a":1,"a":2');
    scanner.write(',' + '['.repeat(100));
    expect(scanner.problem).toBe('duplicate-key');
  });

  it('takes strings and Uint8Arrays as well as Buffers', () => {
    const scanner = new JsonBodyScanner();
    scanner.write('{"a":1,');
    scanner.write(new TextEncoder().encode('"a":2}'));
    expect(scanner.problem).toBe('duplicate-key');
  });
});
