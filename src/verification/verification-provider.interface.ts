import type { OtpChannel } from './otp-channel.js';

/** Outcome of a code check. Only `approved` signs anyone in. */
export type VerificationCheckStatus = 'approved' | 'wrong-code' | 'expired';

/**
 * Sends and checks one-time codes. The module uses Twilio Verify; supply your own implementation
 * as `verificationProvider` to use another vendor. Implementations throw `OtpException`s
 * (`TOO_MANY_REQUESTS`, `DELIVERY_REFUSED`, `PROVIDER_UNAVAILABLE`, `PROVIDER_MISCONFIGURED`...)
 * for failures.
 */
export interface VerificationProvider {
  /** Sends a code to `to` (E.164) over `channel`. */
  start(to: string, channel: OtpChannel): Promise<void>;
  /**
   * Checks `code` for `to`. `wrong-code`: the code does not match (the verification stays
   * open); `expired`: there is no open verification (never sent, expired, used or cancelled).
   */
  check(to: string, code: string): Promise<VerificationCheckStatus>;
  /** Cancels the open verification for `to`, if any. */
  cancel?(to: string): Promise<void>;
}
