import { randomBytes } from 'node:crypto';

/** A Twilio sid: the two-letter `prefix` (`AC`, `VA`, `VE`…) and 32 random hex digits. */
export function newSid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}
