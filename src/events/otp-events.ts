/** Names of the events the module emits. */
export const OtpEvent = {
  MEMBER_CREATED: 'otp.member.created',
  MEMBER_APPROVED: 'otp.member.approved',
  MEMBER_BLOCKED: 'otp.member.blocked',
  MEMBER_UNBLOCKED: 'otp.member.unblocked',
  SIGNED_IN: 'otp.member.signed-in',
  SIGN_IN_FAILED: 'otp.member.sign-in-failed',
  PASSWORD_CHANGED: 'otp.member.password-changed',
  PHONE_CHANGED: 'otp.member.phone-changed',
  EMAIL_CHANGED: 'otp.member.email-changed',
  MEMBER_DELETED: 'otp.member.deleted',
  RECOVERY_CODE_USED: 'otp.member.recovery-code-used',
  TOTP_ENABLED: 'otp.member.totp-enabled',
  TOTP_DISABLED: 'otp.member.totp-disabled',
  DEVICE_TRUSTED: 'otp.member.device-trusted',
  PASSKEY_ADDED: 'otp.member.passkey-added',
  PASSKEY_REMOVED: 'otp.member.passkey-removed',
  DELIVERY_REFUSED: 'otp.delivery.refused',
} as const;

export type OtpEventName = (typeof OtpEvent)[keyof typeof OtpEvent];

/**
 * What every event carries: the member's id when known and the phone masked
 * (`+1******0123`); never a code, a password, a token or a full phone number.
 */
export interface OtpEventPayload {
  event: OtpEventName;
  memberId?: string;
  maskedPhone?: string;
  /**
   * `phone` (passwordless), `two-factor`, `passkey`, `admin`, `reset`, `change` (the member,
   * signed in) or `recovery` (a recovery code).
   */
  method?: 'phone' | 'two-factor' | 'passkey' | 'admin' | 'reset' | 'change' | 'recovery';
  /** For `recovery-code-used`: how many unused recovery codes the member has left. */
  remaining?: number;
  /** For failures: the error code (`INVALID_CODE`, `INVALID_CREDENTIALS`...). */
  reason?: string;
  at: Date;
}
