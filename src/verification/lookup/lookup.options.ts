import {
  type OptionDefaults,
  type OptionFailure,
  positiveInt,
} from '../../errors/otp-options.error.js';
import { OTP_CHANNELS, type OtpChannel } from '../../otp.constants.js';

/** Line types of Twilio Lookup v2's Line Type Intelligence. */
export type LineType =
  | 'mobile'
  | 'landline'
  | 'fixedVoip'
  | 'nonFixedVoip'
  | 'personal'
  | 'tollFree'
  | 'premium'
  | 'sharedCost'
  | 'uan'
  | 'voicemail'
  | 'pager'
  | 'unknown';

/**
 * A check of each number with Twilio Lookup v2 before its first code (each Lookup request is
 * billed by Twilio). Refused numbers get 422 `DELIVERY_REFUSED`.
 */
export interface LookupOptions {
  /**
   * Line types that may receive codes (Line Type Intelligence); `false` skips that package. A
   * number Lookup gives no type for is not refused on its type. Default `['mobile', 'personal']`.
   */
  allowedLineTypes?: LineType[] | false;
  /**
   * Highest SMS Pumping Risk score (0, low, to 100, high) that may receive codes; numbers Twilio
   * has blocked for pumping are refused too. Default: the package is not asked for.
   */
  maxSmsPumpingRisk?: number;
  /** Channels whose sends are checked. Default `['sms', 'call']`. */
  channels?: OtpChannel[];
  /**
   * When Lookup cannot answer (down, timed out, 5xx): `'send'` sends the code anyway (fail
   * open, logged), `'refuse'` answers 503 `PROVIDER_UNAVAILABLE` (fail closed). Default `'send'`.
   */
  whenUnavailable?: 'send' | 'refuse';
  /** How long an answer is kept for a number, in seconds. Default `86400` (a day). */
  cacheTtlSeconds?: number;
  /** Numbers whose answers are kept, oldest dropped first. Default `10000`. */
  cacheSize?: number;
}

/** Defaults of `lookup`, once it is given (Lookup is off by default). */
export const LOOKUP_DEFAULTS = {
  allowedLineTypes: ['mobile', 'personal'],
  channels: ['sms', 'call'],
  whenUnavailable: 'send',
  cacheTtlSeconds: 24 * 60 * 60,
  cacheSize: 10_000,
} as const satisfies OptionDefaults<Omit<LookupOptions, 'maxSmsPumpingRisk'>>;

/** `lookup` as resolved; `undefined` when there is no Lookup check. */
export interface ResolvedLookupOptions {
  /** `undefined`: the line type is not asked for. */
  allowedLineTypes?: ReadonlySet<LineType>;
  /** `undefined`: the SMS pumping risk is not asked for. */
  maxSmsPumpingRisk?: number;
  channels: ReadonlySet<OtpChannel>;
  whenUnavailable: 'send' | 'refuse';
  cacheTtlMs: number;
  cacheSize: number;
}

/** What `lookup` depends on among the other verification options, resolved. */
export interface LookupContext {
  /** Whether Twilio credentials are given: Lookup is asked with them. */
  twilio: boolean;
  /** The channels codes may be sent over. */
  channels: ReadonlySet<OtpChannel>;
}

const CHANNELS: readonly OtpChannel[] = OTP_CHANNELS;
const LINE_TYPES: readonly LineType[] = [
  'mobile',
  'landline',
  'fixedVoip',
  'nonFixedVoip',
  'personal',
  'tollFree',
  'premium',
  'sharedCost',
  'uan',
  'voicemail',
  'pager',
  'unknown',
];

/** Checks `lookup` and fills in its defaults; a bad option throws `fail(...)`. */
export function resolveLookupOptions(
  lookup: LookupOptions | undefined,
  context: LookupContext,
  fail: OptionFailure,
): ResolvedLookupOptions | undefined {
  if (lookup === undefined) return undefined;
  if (typeof lookup !== 'object' || lookup === null || Array.isArray(lookup)) {
    throw fail('lookup', 'must be an object (leave it unset for no Lookup check)');
  }
  if (!context.twilio) {
    throw fail('lookup', 'needs "twilio": Lookup is asked with its credentials');
  }
  const types = lookup.allowedLineTypes ?? [...LOOKUP_DEFAULTS.allowedLineTypes];
  if (
    types !== false &&
    (!Array.isArray(types) ||
      types.length === 0 ||
      !types.every((type) => LINE_TYPES.includes(type)))
  ) {
    throw fail(
      'lookup.allowedLineTypes',
      `must be false or a non-empty list of ${LINE_TYPES.join(', ')}`,
    );
  }
  const risk = lookup.maxSmsPumpingRisk;
  if (
    risk !== undefined &&
    (typeof risk !== 'number' || !Number.isInteger(risk) || risk < 0 || risk > 100)
  ) {
    throw fail('lookup.maxSmsPumpingRisk', 'must be an integer from 0 to 100');
  }
  if (types === false && risk === undefined) {
    throw fail('lookup', 'asks for nothing: give "allowedLineTypes" or "maxSmsPumpingRisk"');
  }
  const checked = lookup.channels ?? [...LOOKUP_DEFAULTS.channels];
  if (
    !Array.isArray(checked) ||
    checked.length === 0 ||
    !checked.every((channel) => CHANNELS.includes(channel))
  ) {
    throw fail('lookup.channels', `must be a non-empty list of ${CHANNELS.join(', ')}`);
  }
  const unused = checked.find((channel) => !context.channels.has(channel));
  if (unused !== undefined && lookup.channels !== undefined) {
    throw fail('lookup.channels', `names "${unused}", which "channels" does not allow`);
  }
  const whenUnavailable = lookup.whenUnavailable ?? LOOKUP_DEFAULTS.whenUnavailable;
  if (whenUnavailable !== 'send' && whenUnavailable !== 'refuse') {
    throw fail('lookup.whenUnavailable', 'must be "send" or "refuse"');
  }
  return {
    allowedLineTypes: types === false ? undefined : new Set(types),
    maxSmsPumpingRisk: risk,
    channels: new Set(checked),
    whenUnavailable,
    cacheTtlMs:
      positiveInt(
        lookup.cacheTtlSeconds,
        'lookup.cacheTtlSeconds',
        LOOKUP_DEFAULTS.cacheTtlSeconds,
        fail,
      ) * 1000,
    cacheSize: positiveInt(lookup.cacheSize, 'lookup.cacheSize', LOOKUP_DEFAULTS.cacheSize, fail),
  };
}
