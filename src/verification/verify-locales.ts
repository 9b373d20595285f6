/**
 * The locales Twilio Verify translates its default template into, as its documentation lists
 * them (https://www.twilio.com/docs/verify/supported-languages). Twilio answers a `Locale` that is
 * not in this list with 404, so the module only ever sends one of these.
 */
export const VERIFY_LOCALES = [
  'af',
  'ar',
  'ca',
  'zh',
  'zh-CN',
  'zh-HK',
  'hr',
  'cs',
  'da',
  'nl',
  'en',
  'en-GB',
  'et',
  'fi',
  'fr',
  'de',
  'el',
  'he',
  'hi',
  'hu',
  'id',
  'it',
  'ja',
  'kn',
  'ko',
  'lt',
  'ms',
  'mr',
  'nb',
  'pl',
  'pt',
  'pt-BR',
  'ro',
  'ru',
  'sk',
  'es',
  'sv',
  'tl',
  'te',
  'th',
  'tr',
  'uk',
  'vi',
] as const;

/** A locale Twilio Verify supports, spelt as Twilio spells it (`pt-BR`, `zh-HK`). */
export type VerifyLocale = (typeof VERIFY_LOCALES)[number];

const BY_LOWER_CASE: ReadonlyMap<string, VerifyLocale> = new Map(
  VERIFY_LOCALES.map((locale) => [locale.toLowerCase(), locale]),
);

/**
 * The Verify locale a language tag names, in Twilio's spelling, or `undefined` when Twilio does
 * not support it. Case and `_` separators are forgiven (`PT_br` is `pt-BR`); no fallback is tried.
 */
export function toVerifyLocale(tag: string): VerifyLocale | undefined {
  return BY_LOWER_CASE.get(tag.trim().replace(/_/g, '-').toLowerCase());
}

/**
 * The Verify locale closest to a BCP 47 language tag: the tag itself, then its language and
 * region without a script (`zh-Hant-HK` -> `zh-HK`), then the language alone (`pt-PT` -> `pt`).
 */
function closestVerifyLocale(tag: string): VerifyLocale | undefined {
  const exact = toVerifyLocale(tag);
  if (exact) return exact;
  const subtags = tag.replace(/_/g, '-').toLowerCase().split('-');
  const language = subtags[0];
  if (!language || !/^[a-z]{2,3}$/.test(language)) return undefined;
  const region = subtags.slice(1).find((subtag) => /^([a-z]{2}|\d{3})$/.test(subtag));
  if (region) {
    const withRegion = BY_LOWER_CASE.get(`${language}-${region}`);
    if (withRegion) return withRegion;
  }
  return BY_LOWER_CASE.get(language);
}

interface WeightedTag {
  readonly tag: string;
  readonly quality: number;
  readonly position: number;
}

/** The entries of an `Accept-Language` header, most preferred first, `q=0` and `*` left out. */
function parseAcceptLanguage(header: string): WeightedTag[] {
  const entries: WeightedTag[] = [];
  header.split(',').forEach((part, position) => {
    const [rawTag, ...params] = part.split(';');
    const tag = rawTag?.trim() ?? '';
    if (!tag || tag === '*' || !/^[A-Za-z0-9_-]{1,35}$/.test(tag)) return;
    let quality = 1;
    for (const param of params) {
      const [name, raw] = param.split('=').map((piece) => piece.trim());
      if (name?.toLowerCase() !== 'q') continue;
      // A malformed weight drops the entry rather than promoting it to the default q=1.
      quality = /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(raw ?? '') ? Number(raw) : 0;
    }
    if (quality > 0) entries.push({ tag, quality, position });
  });
  return entries.sort((a, b) => b.quality - a.quality || a.position - b.position);
}

/**
 * The Verify locale for a request's `Accept-Language` header: the visitor's most preferred
 * language that Twilio supports, matched exactly or by falling back from region to language
 * (`pt-BR` -> `pt-BR`, `pt-PT` -> `pt`). `undefined` when the header is absent or names no
 * supported language, so that Twilio chooses by the number's country as it does by default.
 */
export function verifyLocaleFromAcceptLanguage(
  header: string | readonly string[] | undefined,
): VerifyLocale | undefined {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (typeof value !== 'string' || value.length === 0 || value.length > 1024) return undefined;
  for (const { tag } of parseAcceptLanguage(value)) {
    const locale = closestVerifyLocale(tag);
    if (locale) return locale;
  }
  return undefined;
}
