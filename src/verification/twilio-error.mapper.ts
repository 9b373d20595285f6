import { OtpException } from '../errors/otp.exception.js';
import { OtpErrorCode } from '../errors/otp-error-code.js';

/** Twilio error codes and how the module answers them. */
const TOO_MANY = new Set([60202, 60203, 60212, 20429]);
const REFUSED = new Set([60205, 60605, 60410, 60223]);
const MISCONFIGURED = new Set([20003, 20008, 20404]);
const NETWORK_CODES = new Set([
  'ECONNABORTED',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'ERR_CANCELED',
]);

/** Seconds to wait after Twilio's send (60203) or check (60202) limits: its 10-minute window. */
const TWILIO_WINDOW_SECONDS = 600;

interface TwilioLikeError {
  status?: unknown;
  code?: unknown;
}

/** The HTTP status and Twilio code of an error thrown by the twilio SDK, if it has them. */
export function twilioErrorParts(error: unknown): { status?: number; code?: number | string } {
  if (typeof error !== 'object' || error === null) return {};
  const { status, code } = error as TwilioLikeError;
  return {
    status: typeof status === 'number' ? status : undefined,
    code: typeof code === 'number' || typeof code === 'string' ? code : undefined,
  };
}

/**
 * Maps an error from the twilio SDK to the contract's exception. `onCheck` tells whether it came
 * from a VerificationCheck, where 20404 means the code is expired, used or was never sent.
 */
export function mapTwilioError(error: unknown, onCheck: boolean): OtpException {
  const { status, code } = twilioErrorParts(error);
  if (typeof code === 'number') {
    if (code === 20404 && onCheck) return new OtpException(OtpErrorCode.CODE_EXPIRED);
    if (code === 60200) return new OtpException(OtpErrorCode.INVALID_PHONE_NUMBER);
    if (TOO_MANY.has(code)) {
      return new OtpException(OtpErrorCode.TOO_MANY_REQUESTS, {
        retryAfterSeconds: code === 20429 ? 60 : TWILIO_WINDOW_SECONDS,
      });
    }
    if (REFUSED.has(code)) return new OtpException(OtpErrorCode.DELIVERY_REFUSED);
    if (MISCONFIGURED.has(code)) return new OtpException(OtpErrorCode.PROVIDER_MISCONFIGURED);
  }
  if (status === 401 || status === 403)
    return new OtpException(OtpErrorCode.PROVIDER_MISCONFIGURED);
  if (status === 429)
    return new OtpException(OtpErrorCode.TOO_MANY_REQUESTS, { retryAfterSeconds: 60 });
  if (status !== undefined && status >= 400 && status < 500) {
    return new OtpException(OtpErrorCode.DELIVERY_REFUSED);
  }
  if (status !== undefined && status >= 500)
    return new OtpException(OtpErrorCode.PROVIDER_UNAVAILABLE, { retryAfterSeconds: 30 });
  if (typeof code === 'string' && NETWORK_CODES.has(code))
    return new OtpException(OtpErrorCode.PROVIDER_UNAVAILABLE, { retryAfterSeconds: 30 });
  return new OtpException(OtpErrorCode.PROVIDER_UNAVAILABLE, { retryAfterSeconds: 30 });
}
