import type { OtpChannel } from '../otp.constants.js';

/**
 * A method that proved a session, as its `amr` value (RFC 8176 where one fits): `pwd` a
 * password, `sms` a code sent by SMS, `tel` a code read out by a voice call, `otp` a code of an
 * authenticator app; and where RFC 8176 has none, `whatsapp` a code sent by WhatsApp, `passkey`
 * a passkey, `recovery` a recovery code, `device` a trusted-device token.
 */
export type AuthMethod =
  'pwd' | 'sms' | 'tel' | 'whatsapp' | 'otp' | 'passkey' | 'recovery' | 'device';

/** Every method, in the order a session lists them. */
export const AUTH_METHODS: readonly AuthMethod[] = [
  'pwd',
  'sms',
  'tel',
  'whatsapp',
  'otp',
  'passkey',
  'recovery',
  'device',
];

/**
 * Authenticator assurance level (NIST SP 800-63B): 2 when the session was proved by two factors
 * of different kinds (a password and something the member has), or by a multi-factor
 * authenticator (a passkey with user verification); 1 otherwise.
 */
export type AssuranceLevel = 1 | 2;

/** How a session was proved, as it is stored and shown. */
export interface SessionAssurance {
  /** The methods that proved the session, in the order of `AUTH_METHODS`. */
  amr: AuthMethod[];
  aal: AssuranceLevel;
  /**
   * The last time the member proved possession of a phone, an authenticator app or a passkey in
   * this session; `null` when they never did (a trusted-device or recovery-code sign-in).
   */
  verifiedAt: Date | null;
}

/** One proof given at a sign-in or a re-verification. */
export interface SessionProof {
  method: AuthMethod;
  /** A passkey with user verification, which is a multi-factor authenticator by itself. */
  multiFactor?: boolean;
}

/** The methods that prove possession of a phone, an app or a passkey: they set `verifiedAt`. */
const POSSESSION: ReadonlySet<AuthMethod> = new Set(['sms', 'tel', 'whatsapp', 'otp', 'passkey']);

/** What a member has, beside what they know: the second factor beside a password. */
const SOMETHING_YOU_HAVE: ReadonlySet<AuthMethod> = new Set([
  'sms',
  'tel',
  'whatsapp',
  'otp',
  'passkey',
  'recovery',
]);

/** The `amr` value of a code delivered over a channel. */
export function channelMethod(channel: OtpChannel): AuthMethod {
  return channel === 'call' ? 'tel' : channel;
}

/** Whether this proof shows possession of a phone, an app or a passkey (sets `verifiedAt`). */
export function provesPossession(method: AuthMethod): boolean {
  return POSSESSION.has(method);
}

/**
 * The assurance of a session proved by `proofs` (at its sign-in and any re-verification since),
 * added to `earlier` when given; `now` is the time of the newest proof.
 */
export function assure(
  proofs: readonly SessionProof[],
  now: Date,
  earlier?: SessionAssurance,
): SessionAssurance {
  const methods = new Set<AuthMethod>(earlier?.amr ?? []);
  let multiFactor = earlier?.aal === 2;
  let verifiedAt = earlier?.verifiedAt ?? null;
  for (const proof of proofs) {
    methods.add(proof.method);
    if (proof.multiFactor) multiFactor = true;
    if (provesPossession(proof.method)) verifiedAt = now;
  }
  const twoKinds = methods.has('pwd') && [...methods].some((m) => SOMETHING_YOU_HAVE.has(m));
  return {
    amr: AUTH_METHODS.filter((method) => methods.has(method)),
    aal: multiFactor || twoKinds ? 2 : 1,
    verifiedAt,
  };
}

/** `amr` as stored: the values joined by spaces (as OAuth joins scopes). */
export function storedAmr(amr: readonly AuthMethod[]): string {
  return amr.join(' ');
}

/** `amr` as read back; unknown values (of a later version) are dropped. */
export function parseAmr(stored: string | null | undefined): AuthMethod[] {
  if (!stored) return [];
  const values = new Set(stored.split(' '));
  return AUTH_METHODS.filter((method) => values.has(method));
}
