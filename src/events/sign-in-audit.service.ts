import { Injectable, Logger } from '@nestjs/common';
import { maskPhone } from './log.util.js';
import { OtpException } from '../errors/otp.exception.js';
import { OtpEvent, type OtpEventPayload } from './otp-events.js';
import { OtpEventsService } from './otp-events.service.js';

/** How a member signs in, or what they were doing when refused. */
export type SignInMethod = NonNullable<OtpEventPayload['method']>;

/** What one refusal was about. */
export interface Refusal {
  /** The flow, for people reading the log: "Phone sign-in", "Password reset"... */
  flow: string;
  /** The method of the `sign-in-failed` event; no event when absent (a sign-up refused). */
  method?: SignInMethod;
  memberId?: string;
  /** The E.164 phone concerned, masked in the log and the event. */
  e164?: string;
}

/**
 * The log lines and events of sign-ins, one wording for every flow: the member id when known,
 * the phone masked, the error code; never a code, a password or a token.
 */
@Injectable()
export class SignInAuditService {
  private readonly logger = new Logger('OtpModule');

  constructor(private readonly events: OtpEventsService) {}

  /** A member signed in. */
  signedIn(memberId: string, e164: string, method: 'phone' | 'two-factor' | 'passkey'): void {
    const how =
      method === 'phone'
        ? 'by phone'
        : method === 'passkey'
          ? 'with a passkey'
          : 'with two factors';
    this.logger.log(`Member ${memberId} signed in ${how} (${maskPhone(e164)})`);
    this.events.emit(OtpEvent.SIGNED_IN, { memberId, maskedPhone: maskPhone(e164), method });
  }

  /** A flow was refused with `error` (an `OtpException`, or anything unexpected). */
  refused(refusal: Refusal, error: unknown): void {
    const reason = error instanceof OtpException ? error.code : undefined;
    const masked = refusal.e164 ? maskPhone(refusal.e164) : undefined;
    const who = refusal.memberId
      ? `member ${refusal.memberId}${masked ? ` (${masked})` : ''}`
      : (masked ?? 'an unknown member');
    this.logger.warn(`${refusal.flow} refused for ${who}: ${reason ?? 'an unexpected error'}`);
    if (refusal.method) {
      this.events.emit(OtpEvent.SIGN_IN_FAILED, {
        memberId: refusal.memberId,
        maskedPhone: masked,
        method: refusal.method,
        reason,
      });
    }
  }
}
