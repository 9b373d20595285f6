import { VERIFY_LOCALES } from '../../verification/verify-locales.js';

/** The window of the send limit (Twilio: 10 minutes), and a code's default validity. */
export const SEND_WINDOW_MS = 10 * 60 * 1000;
/** Send attempts allowed per number per {@link SEND_WINDOW_MS}, re-sends included. */
export const MAX_SENDS = 5;
/** Checks allowed per verification, right or wrong. */
export const MAX_CHECKS = 5;
/** A number in E.164 form, as Twilio requires for `To`. */
export const E164 = /^\+[1-9]\d{6,14}$/;
/** Twilio checks codes of 4 to 10 digits (others answer 60200). */
export const CODE = /^\d{4,10}$/;
const DAY_MS = 24 * 60 * 60 * 1000;
/** How long a status fetch counts toward any of {@link STATUS_FETCH_LIMITS}. */
export const STATUS_FETCH_WINDOW_MS = DAY_MS;
/** Twilio's status check limits per number. */
export const STATUS_FETCH_LIMITS = [
  { max: 60, windowMs: 60 * 1000 },
  { max: 180, windowMs: 60 * 60 * 1000 },
  { max: 250, windowMs: DAY_MS },
] as const;
/** The channels Verify takes. */
export const SUPPORTED_CHANNELS: ReadonlySet<string> = new Set(['sms', 'call', 'whatsapp']);
/** The locales Verify translates into; others answer 404. */
export const SUPPORTED_LOCALES: ReadonlySet<string> = new Set(VERIFY_LOCALES);
/** Tags: a JSON object of at most 10 string values, keys and values up to 128 characters. */
export const MAX_TAGS = 10;
/** The longest tag key or value. */
export const MAX_TAG_LENGTH = 128;
/** Digits in a code by default. */
export const DEFAULT_CODE_LENGTH = 6;
