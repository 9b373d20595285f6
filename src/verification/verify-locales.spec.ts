import {
  VERIFY_LOCALES,
  toVerifyLocale,
  verifyLocaleFromAcceptLanguage,
} from './verify-locales.js';

describe('VERIFY_LOCALES', () => {
  it('holds each locale once, in the spelling Twilio uses', () => {
    expect(new Set(VERIFY_LOCALES.map((l) => l.toLowerCase())).size).toBe(VERIFY_LOCALES.length);
    for (const locale of VERIFY_LOCALES) expect(locale).toMatch(/^[a-z]{2}(-[A-Z]{2})?$/);
    expect(VERIFY_LOCALES).toEqual(expect.arrayContaining(['en', 'pt-BR', 'zh-HK', 'fr']));
  });
});

describe('toVerifyLocale', () => {
  it.each([
    ['pt-BR', 'pt-BR'],
    ['pt-br', 'pt-BR'],
    ['PT_br', 'pt-BR'],
    ['fr', 'fr'],
    [' de ', 'de'],
    ['pt-PT', undefined],
    ['xx', undefined],
    ['', undefined],
  ])('%j -> %j', (tag, expected) => {
    expect(toVerifyLocale(tag)).toBe(expected);
  });
});

describe('verifyLocaleFromAcceptLanguage', () => {
  it.each([
    ['pt-BR', 'pt-BR'],
    ['pt-PT', 'pt'],
    ['pt', 'pt'],
    ['en-US,en;q=0.9', 'en'],
    ['en-GB', 'en-GB'],
    ['fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5', 'fr'],
    ['de;q=0.5, es;q=0.9', 'es'],
    ['de;q=0.5, es;q=0.5', 'de'],
    ['xx-YY, es;q=0.1', 'es'],
    ['es;q=0, fr;q=0.2', 'fr'],
    ['zh-Hant-HK', 'zh-HK'],
    ['zh-TW', 'zh'],
    ['es-419', 'es'],
    ['*', undefined],
    ['xx, yy;q=0.5', undefined],
    ['', undefined],
    [undefined, undefined],
    ['en;q=abc, fr', 'fr'],
    [';;;,,,', undefined],
  ])('%j -> %j', (header, expected) => {
    expect(verifyLocaleFromAcceptLanguage(header)).toBe(expected);
  });

  it('reads a header sent several times as one list', () => {
    expect(verifyLocaleFromAcceptLanguage(['xx', 'it;q=0.4'])).toBe('it');
  });

  it('ignores an overlong header rather than scanning it', () => {
    expect(verifyLocaleFromAcceptLanguage(`${'x'.repeat(2000)},fr`)).toBeUndefined();
  });
});
