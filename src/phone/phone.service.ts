import { Inject, Injectable } from '@nestjs/common';
import {
  getCountryCallingCode,
  parsePhoneNumberFromString,
  type CountryCode,
  type NumberType,
} from 'libphonenumber-js/max';
import { OtpException } from '../errors/otp.exception.js';
import { OtpErrorCode } from '../errors/otp-error-code.js';
import type { ResolvedOtpOptions } from '../config/resolved-otp-options.interface.js';
import { RESOLVED_OTP_OPTIONS } from '../otp-internal.constants.js';
import { isServedCountry } from './countries.service.js';

/** A phone number parsed for a country, normalised to E.164. */
export interface ParsedPhone {
  e164: string;
  country: CountryCode;
}

/** Digits, spaces and the usual punctuation of a written phone number; ASCII only. */
const PHONE_SHAPE = /^\+?[0-9 ().-]{4,24}$/;
const MOBILE_CAPABLE: ReadonlySet<NumberType> = new Set([
  'MOBILE',
  'FIXED_LINE_OR_MOBILE',
  'PERSONAL_NUMBER',
]);

/** Parses phone numbers with libphonenumber-js and enforces `allowedCountries`. */
@Injectable()
export class PhoneService {
  constructor(@Inject(RESOLVED_OTP_OPTIONS) private readonly options: ResolvedOtpOptions) {}

  /** Whether codes may be sent to numbers of this country. */
  isCountryAllowed(country: string): boolean {
    const allowed = this.options.allowedCountries;
    return allowed === undefined || allowed.has(country as CountryCode);
  }

  /**
   * Parses `phoneNumber` as written by a person who chose `countryCode`, and returns its E.164
   * form. Throws `INVALID_PHONE_NUMBER` unless it is a valid, mobile-capable number of that
   * country's dialling plan, and `COUNTRY_NOT_ALLOWED` outside `allowedCountries`.
   */
  parse(countryCode: string, phoneNumber: string): ParsedPhone {
    const selected = typeof countryCode === 'string' ? countryCode.toUpperCase() : '';
    if (!isServedCountry(selected))
      throw new OtpException(OtpErrorCode.VALIDATION_FAILED, { message: 'Choose a country.' });
    if (!this.isCountryAllowed(selected)) throw new OtpException(OtpErrorCode.COUNTRY_NOT_ALLOWED);
    if (typeof phoneNumber !== 'string' || !PHONE_SHAPE.test(phoneNumber.trim())) {
      throw new OtpException(OtpErrorCode.INVALID_PHONE_NUMBER);
    }
    const parsed = parsePhoneNumberFromString(phoneNumber.trim(), selected);
    if (
      !parsed ||
      parsed.ext ||
      parsed.countryCallingCode !== getCountryCallingCode(selected) ||
      !parsed.isValid() ||
      !parsed.country ||
      !MOBILE_CAPABLE.has(parsed.getType() as NumberType)
    ) {
      throw new OtpException(OtpErrorCode.INVALID_PHONE_NUMBER);
    }
    if (!this.isCountryAllowed(parsed.country))
      throw new OtpException(OtpErrorCode.COUNTRY_NOT_ALLOWED);
    return { e164: parsed.number, country: parsed.country };
  }
}
