import type { MemberView } from '../members/member.entity.js';
import type { AuthenticatedSession } from './sessions.service.js';

/** What the guard attaches to a request it lets through. */
export interface OtpRequest {
  headers: Record<string, string | string[] | undefined>;
  method?: string;
  /** The signed-in member (the passport convention). */
  user?: MemberView;
  /** The id of the session the request was made with. */
  otpSessionId?: string;
  /** The session the request was made with: how and when it was proved (`@CurrentSession()`). */
  otpSession?: AuthenticatedSession;
}
