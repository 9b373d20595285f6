import type { MemberView } from '../members/member.entity.js';
import type { AssuranceLevel, AuthMethod } from './session-assurance.js';

/** A valid session and its member, as the guard sees them (`@CurrentSession()`). */
export interface AuthenticatedSession {
  sessionId: string;
  member: MemberView;
  expiresAt: Date;
  /** When the session began (its sign-in). */
  createdAt: Date;
  /** The methods that proved the session (RFC 8176 `amr` values where one fits). */
  amr: readonly AuthMethod[];
  /** Its authenticator assurance level. */
  aal: AssuranceLevel;
  /**
   * The last time the member proved possession of a phone, an app or a passkey in this session;
   * `null` when they never did (a trusted-device or recovery-code sign-in).
   */
  verifiedAt: Date | null;
}

/** A session as listed to its member. */
export interface SessionView {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  userAgent: string | null;
  amr: AuthMethod[];
  aal: AssuranceLevel;
  /** ISO 8601; `null` when possession was never proved in this session. */
  verifiedAt: string | null;
  /** Whether this is the session the request was made with. */
  current: boolean;
}
