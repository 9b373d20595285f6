import { maskPhone, sanitizeForLog } from './log.util.js';

describe('maskPhone', () => {
  it.each([
    ['+12015550123', '+1******0123'],
    ['+447700900123', '+44******0123'],
    ['+33612345678', '+33*****5678'],
  ])('%s -> %s', (input, masked) => {
    expect(maskPhone(input)).toBe(masked);
  });
});

describe('sanitizeForLog', () => {
  it('removes CR/LF and other control characters so a value cannot forge a log line', () => {
    expect(sanitizeForLog('a\r\nERROR forged\u0000')).toBe('a  ERROR forged ');
  });
  it('bounds the length', () => {
    expect(sanitizeForLog('x'.repeat(500))).toHaveLength(201);
  });
});

describe('maskPhone on short input', () => {
  it('never shows more than the last four digits', () => {
    expect(maskPhone('+123')).toBe('+123');
    expect(maskPhone('+1234567')).not.toContain('234');
  });
});
