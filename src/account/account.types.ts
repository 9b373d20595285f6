import type { OtpChannel } from '../otp.constants.js';

/** A new phone for the signed-in member, and the code sent to it. */
export interface ChangePhoneInfo {
  countryCode: string;
  phoneNumber: string;
  confirmationCode: string;
  /** Required for members who have a password. */
  currentPassword?: string;
}

/** A new email for the signed-in member (members with a password). */
export interface ChangeEmailInfo {
  newEmail: string;
  currentPassword: string;
  /** The code sent to the member's phone. */
  confirmationCode: string;
}

/** Where to send a code to a new phone. */
export interface NewPhoneInfo {
  countryCode: string;
  phoneNumber: string;
  channel: OtpChannel | string;
}
