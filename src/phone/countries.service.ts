import { Inject, Injectable } from '@nestjs/common';
import {
  type CountryCode,
  getCountries,
  getCountryCallingCode,
  isSupportedCountry,
} from 'libphonenumber-js/max';
import { OtpException } from '../errors/otp.exception.js';
import { OtpErrorCode } from '../errors/otp-error-code.js';
import type { ResolvedOtpOptions } from '../config/resolved-otp-options.interface.js';
import { RESOLVED_OTP_OPTIONS } from '../otp-internal.constants.js';

/** One entry of the country dropdown. */
export interface Country {
  /** ISO 3166-1 alpha-2 code, e.g. `US`. */
  code: string;
  /** Name in the requested locale, e.g. `United States`. */
  name: string;
  /** International dial code, e.g. `+1`. */
  dialCode: string;
}

/**
 * Regions that libphonenumber knows but ISO 3166-1 does not assign (Ascension Island and Tristan
 * da Cunha are only "exceptionally reserved"; XK is a user-assigned code).
 */
const NOT_ISO_3166_1 = new Set(['AC', 'TA', 'XK']);

/** Whether `code` is a country the module serves: ISO 3166-1, with a dial code. */
export function isServedCountry(code: string): code is CountryCode {
  return isSupportedCountry(code) && !NOT_ISO_3166_1.has(code);
}
const DEFAULT_LOCALE = 'en';
const MAX_CACHED_LOCALES = 64;

/** Lists the countries that have a dial code, named and sorted for a locale. */
@Injectable()
export class CountriesService {
  private readonly codes: readonly string[];
  private readonly cache = new Map<string, readonly Country[]>();

  constructor(@Inject(RESOLVED_OTP_OPTIONS) options: ResolvedOtpOptions) {
    const allowed = options.allowedCountries;
    this.codes = getCountries().filter(
      (code) => !NOT_ISO_3166_1.has(code) && (allowed === undefined || allowed.has(code)),
    );
  }

  /**
   * Every ISO 3166-1 country with a dial code (only `allowedCountries` when set), named in
   * `locale` (a BCP 47 tag, English by default) and sorted by name in that locale.
   * Throws `VALIDATION_FAILED` for a malformed or unsupported locale.
   */
  getCountries(locale: string = DEFAULT_LOCALE): Country[] {
    const tag = this.canonicalLocale(locale);
    let list = this.cache.get(tag);
    if (!list) {
      list = this.build(tag);
      if (this.cache.size >= MAX_CACHED_LOCALES) {
        this.cache.delete(this.cache.keys().next().value as string);
      }
      this.cache.set(tag, list);
    }
    return list.map((country) => ({ ...country }));
  }

  private canonicalLocale(locale: string): string {
    try {
      const [tag] = Intl.DisplayNames.supportedLocalesOf(locale);
      if (tag) return tag;
    } catch {
      // a malformed tag throws a RangeError
    }
    throw new OtpException(OtpErrorCode.VALIDATION_FAILED, { message: 'Unsupported locale.' });
  }

  private build(locale: string): readonly Country[] {
    const names = new Intl.DisplayNames([locale, DEFAULT_LOCALE], { type: 'region' });
    const collator = new Intl.Collator(locale);
    return Object.freeze(
      this.codes
        .map((code) => ({
          code,
          name: names.of(code) ?? code,
          dialCode: `+${getCountryCallingCode(code as Parameters<typeof getCountryCallingCode>[0])}`,
        }))
        .sort((a, b) => collator.compare(a.name, b.name)),
    );
  }
}
