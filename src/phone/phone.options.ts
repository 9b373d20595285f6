import { getCountries, type CountryCode } from 'libphonenumber-js/max';
import type { OptionFailure } from '../errors/otp-options.error.js';

/** The options of `OtpModule` about phone numbers. */
export interface PhoneModuleOptions {
  /** ISO 3166-1 alpha-2 codes of the countries that may receive codes. Default: all. */
  allowedCountries?: string[];
}

/** The phone options as resolved. */
export interface ResolvedPhoneOptions {
  /** `undefined` means every country. */
  allowedCountries?: ReadonlySet<CountryCode>;
}

/** Defaults of the phone options: every country may receive codes (no list). */
export const PHONE_DEFAULTS = { allowedCountries: undefined } as const;

/**
 * Regions that libphonenumber knows but that are not ISO 3166-1 countries, which the module's
 * country list (`CountriesService`) leaves out: Ascension Island (AC, +247) and Tristan da Cunha
 * (TA, +290 with Saint Helena) are only "exceptionally reserved" codes, and XK (Kosovo, +383) is
 * a user-assigned one. Nobody can pick them in the list, so `allowedCountries` refuses them.
 */
const NOT_SERVED_COUNTRIES: ReadonlySet<string> = new Set(['AC', 'TA', 'XK']);

/** Distinct values, quoted (JSON escapes control characters), for an error message. */
function list(values: readonly string[]): string {
  return [...new Set(values)].map((value) => JSON.stringify(value.slice(0, 16))).join(', ');
}

function resolveCountries(
  countries: unknown,
  fail: OptionFailure,
): ReadonlySet<CountryCode> | undefined {
  if (countries === undefined) return PHONE_DEFAULTS.allowedCountries;
  const known = new Set<string>(getCountries());
  const problem = 'must be a non-empty list of ISO 3166-1 alpha-2 codes that have a dial code';
  if (
    !Array.isArray(countries) ||
    countries.length === 0 ||
    !countries.every((c): c is string => typeof c === 'string')
  ) {
    throw fail('allowedCountries', problem);
  }
  const codes = countries.map((c) => c.toUpperCase());
  const unknown = codes.filter((code) => !known.has(code));
  if (unknown.length > 0) {
    throw fail('allowedCountries', `${problem}; unknown: ${list(unknown)}`);
  }
  const unserved = codes.filter((code) => NOT_SERVED_COUNTRIES.has(code));
  if (unserved.length > 0) {
    throw fail(
      'allowedCountries',
      `names ${list(unserved)}: not ISO 3166-1 countries, and not in the module's country list ` +
        `(${[...NOT_SERVED_COUNTRIES].join(', ')} are refused)`,
    );
  }
  return new Set(codes as CountryCode[]);
}

/** Checks the phone options and fills in their defaults; a bad option throws `fail(...)`. */
export function resolvePhoneOptions(
  given: PhoneModuleOptions,
  fail: OptionFailure,
): ResolvedPhoneOptions {
  return { allowedCountries: resolveCountries(given.allowedCountries, fail) };
}
