import type { TwilioApiError } from './twilio-api.error.js';
import type { Verification } from './verification.interface.js';

/** What a resource's JSON names besides the resource itself. */
export interface WireContext {
  /** Account sid of the emulated account. */
  accountSid: string;
  /** Sid of the Verify service. */
  serviceSid: string;
  /** The server's base URL, or `undefined` when it is not listening (urls are then paths). */
  baseUrl: string | undefined;
}

/** Twilio's timestamp format: ISO 8601 in UTC without milliseconds. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The absolute URL of `path` on the server, or `path` alone when it is not listening. */
export function resourceUrl(context: WireContext, path: string): string {
  return context.baseUrl === undefined ? path : `${context.baseUrl}${path}`;
}

/** A Verification resource as Twilio answers it. */
export function verificationJson(verification: Verification, context: WireContext): object {
  const path = `/v2/Services/${context.serviceSid}/Verifications/${verification.sid}`;
  return {
    ...resourceHead(verification, context),
    lookup: {},
    amount: null,
    payee: null,
    send_code_attempts: verification.sendAttempts.map((attempt) => ({
      attempt_sid: attempt.sid,
      channel: attempt.channel,
      time: isoTime(attempt.at),
    })),
    date_created: isoTime(verification.createdAt),
    date_updated: isoTime(verification.updatedAt),
    sna: null,
    url: resourceUrl(context, path),
  };
}

/** A VerificationCheck resource as Twilio answers it. */
export function verificationCheckJson(verification: Verification, context: WireContext): object {
  return {
    ...resourceHead(verification, context),
    amount: null,
    payee: null,
    date_created: isoTime(verification.createdAt),
    date_updated: isoTime(verification.updatedAt),
    sna_attempts_error_codes: [],
  };
}

/** The fields a Verification and a VerificationCheck resource both open with. */
function resourceHead(verification: Verification, context: WireContext): object {
  return {
    sid: verification.sid,
    service_sid: context.serviceSid,
    account_sid: context.accountSid,
    to: verification.to,
    channel: verification.channel,
    status: verification.status,
    valid: verification.status === 'approved',
  };
}

/** Twilio's error body. */
export function errorJson(error: TwilioApiError): object {
  return {
    code: error.code,
    message: error.message,
    more_info: `https://www.twilio.com/docs/errors/${error.code}`,
    status: error.status,
  };
}
