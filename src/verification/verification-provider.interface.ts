import type { OtpChannel } from '../otp.constants.js';

/** Outcome of a code check. Only `approved` signs anyone in. */
export type VerificationCheckStatus = 'approved' | 'wrong-code' | 'expired';

/** A check's outcome, with the channel the code went out over when the provider tells it. */
export interface VerificationCheckResult {
  status: VerificationCheckStatus;
  /** The channel of the checked verification (it tells how a session was proved: `amr`). */
  channel?: OtpChannel;
}

/** Details of one send beyond the number and the channel. */
export interface VerificationRequest {
  /** The Verify locale to send the code in; `undefined` leaves it to the provider. */
  locale?: string;
  /** The IP address of the client asking for the code, when known. */
  clientIp?: string;
}

/** What a provider may tell of a code it sent. */
export interface VerificationStarted {
  /** Seconds the code stays valid, when the provider knows better than `codeTtlSeconds`. */
  expiresInSeconds?: number;
}

/**
 * Sends and checks one-time codes. The module uses Twilio Verify; supply your own implementation
 * as `verificationProvider` to use another vendor. Implementations throw `OtpException`s
 * (`TOO_MANY_REQUESTS`, `DELIVERY_REFUSED`, `PROVIDER_UNAVAILABLE`, `PROVIDER_MISCONFIGURED`...)
 * for failures.
 */
export interface VerificationProvider {
  /** Sends a code to `to` (E.164) over `channel`. */
  start(
    to: string,
    channel: OtpChannel,
    request?: VerificationRequest,
  ): Promise<void | VerificationStarted>;
  /**
   * Checks `code` for `to`. `wrong-code`: the code does not match (the verification stays
   * open); `expired`: there is no open verification (never sent, expired, used or cancelled).
   * May answer `{ status, channel }` to tell the channel the code went out over; without it, an
   * approved code counts as one sent by SMS.
   */
  check(to: string, code: string): Promise<VerificationCheckStatus | VerificationCheckResult>;
  /** Cancels the open verification for `to`, if any. */
  cancel?(to: string): Promise<void>;
}
