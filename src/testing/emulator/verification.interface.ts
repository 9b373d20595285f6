/** Where a verification is in its lifecycle, as Twilio names it. */
export type VerificationStatus =
  'pending' | 'approved' | 'canceled' | 'max_attempts_reached' | 'expired';

/** One send (or re-send) of a verification's code. */
export interface SendAttempt {
  /** Sid (`VL…`) of the attempt. */
  sid: string;
  /** Channel it went through. */
  channel: string;
  /** When it was made, epoch milliseconds. */
  at: number;
}

/** A verification as the state machine keeps it; the methods hand out copies. */
export interface Verification {
  /** Sid (`VE…`). */
  sid: string;
  /** E.164 number it verifies. */
  to: string;
  /** Channel of the latest send. */
  channel: string;
  /** The one-time code. */
  code: string;
  /** Where it is in its lifecycle. */
  status: VerificationStatus;
  /** Creation time, epoch milliseconds. */
  createdAt: number;
  /** Time of the latest change, epoch milliseconds. */
  updatedAt: number;
  /** Checks made against it, right or wrong. */
  checks: number;
  /** Its sends, oldest first. */
  sendAttempts: SendAttempt[];
}
