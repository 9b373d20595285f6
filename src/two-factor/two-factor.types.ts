import type { MemberView } from '../members/member.entity.js';
import type { OtpChannel } from '../otp.constants.js';
import type { SecondFactorMethod } from '../credentials/second-factor.service.js';
import type { CodeSent } from '../verification/verification.service.js';

/** Details of a visitor asking for a registration code. */
export interface VisitorInfo {
  email: string;
  phoneNumber: string;
  countryCode: string;
  channel: OtpChannel | string;
  /** When given, checked against the password policy before the code is sent. */
  password?: string;
}

/** Details of a registration. */
export interface RegisterInfo {
  phoneNumber: string;
  countryCode: string;
  email: string;
  password: string;
  confirmationCode: string;
}

/** Details of a member asking for a sign-in code. */
export interface MemberInfo {
  email: string;
  password: string;
  /** `sms`, `call`, `whatsapp`, or `totp` (nothing is sent). */
  channel: OtpChannel | 'totp' | string;
  /** A trusted device's token: with a live one, no code is sent or needed. */
  deviceToken?: string;
}

/**
 * What `login/send` answers once the password is right: the send receipt (nothing is sent for
 * `channel: 'totp'`), and the ways the member can prove it is them (`sms`, `call`, `whatsapp`,
 * `totp`, `recovery`).
 */
export type LoginCodeSent =
  | ({ results: true; methods: SecondFactorMethod[] } & (CodeSent | { channel: 'totp' }))
  /** From a trusted device: nothing is sent, and `login` needs no code. */
  | { results: true; codeRequired: false };

/** Details of a sign-in: the code sent to the phone, or one of the member's recovery codes. */
export interface LoginInfo {
  email: string;
  password: string;
  confirmationCode?: string;
  recoveryCode?: string;
  /** Trust this device: the answer carries a `deviceToken`. */
  rememberDevice?: boolean;
  /** A trusted device's token: with a live one, no code is needed. */
  deviceToken?: string;
}

/** Result of a registration: no session while the member waits for approval. */
export interface RegisterResult {
  sessionToken: string | null;
  member: MemberView;
}

/** Result of a two-factor sign-in. */
export interface TwoFactorLoginResult {
  sessionToken: string;
  member: MemberView;
  /** With a recovery code: how many are left. */
  recoveryCodesRemaining?: number;
  /** With `rememberDevice`: the trusted device's token, shown this once. */
  deviceToken?: string;
}

/** Details of a password reset. */
export interface ResetPasswordInfo {
  email: string;
  confirmationCode: string;
  newPassword: string;
}

/** Details of a password change by the signed-in member. */
export interface ChangePasswordInfo {
  currentPassword: string;
  newPassword: string;
  confirmationCode: string;
}
