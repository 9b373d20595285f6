import {
  isSupportedCountry,
  parsePhoneNumberFromString,
  validatePhoneNumberLength,
  type CountryCode,
} from 'libphonenumber-js/max';

import type { LineType } from '../emulator.types.js';
import { E164 } from './verify.constants.js';

/** The Lookup v2 data packages the emulator answers; others are answered as `null`. */
const LOOKUP_PACKAGES = [
  'caller_name',
  'sim_swap',
  'call_forwarding',
  'line_status',
  'line_type_intelligence',
  'identity_match',
  'reassigned_number',
  'sms_pumping_risk',
  'phone_number_quality_score',
  'pre_fill',
] as const;

/**
 * Carrier names by line type, as Lookup reports them for such numbers; the key order is the one
 * error messages list the line types in.
 */
const CARRIERS: Record<LineType, string> = {
  landline: 'Emulated Landline Carrier',
  mobile: 'Emulated Mobile Carrier',
  fixedVoip: 'Emulated Fixed VoIP Carrier',
  nonFixedVoip: 'Twilio - SMS/MMS-SVR',
  personal: 'Emulated Personal Number Carrier',
  tollFree: 'Emulated Toll-Free Carrier',
  premium: 'Emulated Premium Rate Carrier',
  sharedCost: 'Emulated Shared Cost Carrier',
  uan: 'Emulated Universal Access Carrier',
  voicemail: 'Emulated Voicemail Carrier',
  pager: 'Emulated Pager Carrier',
  unknown: 'Emulated Carrier',
};
/** Every line type, once: the keys of a record the compiler holds to `LineType`. */
const LINE_TYPES: ReadonlySet<string> = new Set(Object.keys(CARRIERS));

/** What a Lookup v2 phone number query asked for. */
export interface LookupQuery {
  /** `Fields`: the data packages asked for, comma-separated. */
  fields?: string;
  /** `CountryCode`: the country (ISO 3166 alpha-2) of a national number. */
  countryCode?: string;
}

/**
 * Lookup v2 without HTTP: the line types and SMS pumping risk scores tests set per number, and
 * the answer to a phone number query (the basic validation, plus the `line_type_intelligence` and
 * `sms_pumping_risk` packages when asked for).
 */
export class LookupState {
  private readonly lineTypes = new Map<string, LineType>();
  private readonly pumpingRisks = new Map<string, number>();

  /**
   * Sets the line type reported for `e164`; numbers not set are `'mobile'`.
   * @throws RangeError if `e164` is not an E.164 number or `type` is not one of Twilio's line
   *   types.
   */
  setLineType(e164: string, type: LineType): void {
    if (!E164.test(e164)) throw new RangeError(`setLineType expects an E.164 number, got ${e164}`);
    if (!LINE_TYPES.has(type)) {
      throw new RangeError(`setLineType expects one of ${[...LINE_TYPES].join(', ')}, got ${type}`);
    }
    this.lineTypes.set(e164, type);
  }

  /**
   * Sets the SMS pumping risk score (0 to 100) reported for `e164`; numbers not set score 0.
   * @throws RangeError if `e164` is not an E.164 number or `score` is not an integer from 0 to 100.
   */
  setSmsPumpingRisk(e164: string, score: number): void {
    if (!E164.test(e164)) {
      throw new RangeError(`setSmsPumpingRisk expects an E.164 number, got ${e164}`);
    }
    if (!Number.isInteger(score) || score < 0 || score > 100) {
      throw new RangeError(
        `setSmsPumpingRisk expects an integer score from 0 to 100, got ${score}`,
      );
    }
    this.pumpingRisks.set(e164, score);
  }

  /**
   * The Lookup v2 answer for `number` (E.164, or national with `countryCode`) in Twilio's wire
   * format, without its `url`; every data package not asked for (or of an invalid number) is
   * `null`.
   */
  query(number: string, query: LookupQuery): Record<string, unknown> {
    const fields = new Set(
      (query.fields ?? '')
        .split(',')
        .map((field) => field.trim())
        .filter((field) => field !== ''),
    );
    const body = basicLookup(number, query.countryCode);
    const valid = body.valid === true;
    const e164 = String(body.phone_number);
    for (const name of LOOKUP_PACKAGES) body[name] = null;
    if (valid && fields.has('line_type_intelligence')) {
      body.line_type_intelligence = lineTypeJson(this.lineTypes.get(e164) ?? 'mobile');
    }
    if (valid && fields.has('sms_pumping_risk')) {
      body.sms_pumping_risk = pumpingRiskJson(this.pumpingRisks.get(e164) ?? 0);
    }
    return body;
  }

  /** Forgets the line types and risk scores set. */
  reset(): void {
    this.lineTypes.clear();
    this.pumpingRisks.clear();
  }
}

/**
 * Lookup's basic validation of a number, done with libphonenumber's metadata: an E.164 number, or
 * a national one with `CountryCode` (ISO 3166 alpha-2).
 */
function basicLookup(number: string, countryCode: string | undefined): Record<string, unknown> {
  const international = number.startsWith('+');
  const country =
    !international && countryCode !== undefined && isSupportedCountry(countryCode.toUpperCase())
      ? (countryCode.toUpperCase() as CountryCode)
      : undefined;
  const parsed = international || country ? parsePhoneNumberFromString(number, country) : undefined;
  const valid = parsed?.isValid() === true;
  let error: string | undefined;
  if (!valid) {
    const length =
      international || country ? validatePhoneNumberLength(number, country) : 'NOT_A_NUMBER';
    error =
      length === undefined
        ? 'INVALID_BUT_POSSIBLE'
        : length === 'INVALID_COUNTRY'
          ? 'INVALID_COUNTRY_CODE'
          : length;
  }
  return {
    calling_country_code: parsed?.countryCallingCode ?? null,
    country_code: parsed?.country ?? null,
    phone_number: parsed?.number ?? number,
    national_format: parsed ? parsed.formatNational() : null,
    valid,
    validation_errors: error === undefined ? [] : [error],
  };
}

function lineTypeJson(type: LineType): object {
  return {
    error_code: null,
    mobile_country_code: '310',
    mobile_network_code: type === 'mobile' ? '260' : '999',
    carrier_name: CARRIERS[type],
    type,
  };
}

function pumpingRiskJson(score: number): object {
  const category = score < 40 ? 'low' : score < 60 ? 'mild' : score < 80 ? 'moderate' : 'high';
  return {
    carrier_risk_category: category,
    number_blocked: score >= 80,
    number_blocked_date: null,
    number_blocked_last_3_months: score >= 80 ? true : null,
    sms_pumping_risk_score: score,
    error_code: null,
  };
}
