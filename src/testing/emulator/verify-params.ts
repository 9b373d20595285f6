import { isIP } from 'node:net';

import { invalidParam, missingParam } from './twilio-api.error.js';
import { E164, MAX_TAG_LENGTH, MAX_TAGS } from './verify.constants.js';

/** A request's parameters by Twilio's names (`To`, `Channel`, `Code`…), as the client sent them. */
export type VerifyParams = Record<string, string>;

/** What a send asked for beyond `To` and `Channel`, as Twilio reads it. */
export interface SendOptions {
  /** The `Locale` parameter. */
  locale?: string;
  /** The `CustomFriendlyName` parameter. */
  customFriendlyName?: string;
}

/**
 * The parameter `name`.
 * @throws TwilioApiError 400 20001 if it is missing or empty.
 */
export function requireParam(params: VerifyParams, name: string): string {
  const value = params[name];
  if (value === undefined || value === '') throw missingParam(name);
  return value;
}

/**
 * The parameter `name`, an E.164 number.
 * @throws TwilioApiError 400 20001 if it is missing, 400 60200 if it is not E.164.
 */
export function requireE164(params: VerifyParams, name: string): string {
  const value = requireParam(params, name);
  if (!E164.test(value)) throw invalidParam(name, value);
  return value;
}

/**
 * Validates the optional parameters of a verification start as Twilio does (the `Tags` and
 * `RateLimits` JSON, the `DeviceIp` address) and returns those a delivery records.
 * @throws TwilioApiError 400 60200 for the first invalid one.
 */
export function sendOptions(params: VerifyParams): SendOptions {
  if (params.Tags !== undefined) {
    const tags = jsonObject(params.Tags);
    const entries = tags && Object.entries(tags);
    const ok =
      entries !== undefined &&
      entries.length <= MAX_TAGS &&
      entries.every(
        ([key, value]) =>
          typeof value === 'string' &&
          key.length <= MAX_TAG_LENGTH &&
          value.length <= MAX_TAG_LENGTH,
      );
    if (!ok) throw invalidParam('Tags', params.Tags);
  }
  if (params.RateLimits !== undefined) {
    const limits = jsonObject(params.RateLimits);
    const ok =
      limits !== undefined &&
      Object.values(limits).every(
        (value) => typeof value === 'string' || typeof value === 'number',
      );
    if (!ok) throw invalidParam('RateLimits', params.RateLimits);
  }
  if (params.DeviceIp !== undefined && isIP(params.DeviceIp) === 0) {
    throw invalidParam('DeviceIp', params.DeviceIp);
  }
  return {
    ...(params.Locale !== undefined && { locale: params.Locale }),
    ...(params.CustomFriendlyName !== undefined && {
      customFriendlyName: params.CustomFriendlyName,
    }),
  };
}

/** A JSON object (not an array or a scalar), or `undefined`. */
function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
