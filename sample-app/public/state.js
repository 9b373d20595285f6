/**
 * What the page knows, in memory only. The one thing kept in storage is that a member declined
 * the passkey offer (see `account.js`).
 */
export const state = {
  /** The signed-in member, from `GET /auth/me` or a sign-in answer. */
  member: null,
  /** What `/api/sample` says about the server. */
  info: {
    developmentMode: false,
    adminEnabled: false,
    siteName: 'nestjs-otp sample',
    siteLogo: '/logo.svg',
    channels: ['sms', 'call'],
    trustedDeviceDays: 30,
    /** `{ rpId, origins }`: where passkeys work; `null` when they are off. */
    passkeys: null,
  },
  /** Typed in the admin view; kept in memory only. */
  adminToken: '',
  /** A message for the next view shown, and how it looks (`success`, `pending`, `error`). */
  notice: '',
  noticeState: 'success',
  /** A control to focus in the next view shown, instead of its heading. */
  focus: '',
  /** Signed in with a phone or two-factor sign-in just now: the account view offers a passkey. */
  offerPasskey: false,
};

export const SIGNED_OUT_VIEWS = new Set(['login', 'register', 'phone', 'reset']);

/** Said when the page finds its session gone: revoked from another browser, or expired. */
export const SIGNED_OUT_ELSEWHERE =
  'You were signed out: this session was ended from another browser, or it expired. Sign in again.';

/**
 * Whether the member signs in with a password: a passwordless member's email is the placeholder
 * made of their phone's digits (`12015550123@<mail domain>`).
 */
export function hasPassword(member) {
  return member.email.split('@')[0] !== member.phoneNumber.replace(/^\+/, '');
}
