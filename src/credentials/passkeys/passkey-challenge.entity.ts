import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../../persistence/epoch-ms.transformer.js';

/** The ceremony a challenge was given for. */
export type PasskeyCeremony = 'registration' | 'authentication' | 'step-up';

/**
 * A challenge of a passkey ceremony, kept where every instance sees it, so that a ceremony begun
 * on one instance finishes on another: single-use (taken by a delete), expiring, bound to its
 * ceremony and, for registration and step-up, to the session that asked for it.
 */
@Entity({ name: 'otp_passkey_challenges' })
export class PasskeyChallenge {
  /** The challenge, base64url of 32 random bytes. */
  @PrimaryColumn({
    type: 'varchar',
    length: 64,
    primaryKeyConstraintName: 'pk_otp_passkey_challenges',
  })
  challenge: string;

  @Column({ name: 'ceremony', type: 'varchar', length: 16 })
  ceremony: PasskeyCeremony;

  /** The session that asked for it (registration, step-up); `null` for a sign-in. */
  @Column({ name: 'session_id', type: 'varchar', length: 36, nullable: true })
  sessionId: string | null;

  /** For a registration: the user handle the passkey is made for. */
  @Column({ name: 'user_handle', type: 'varchar', length: 100, nullable: true })
  userHandle: string | null;

  @Index('idx_otp_passkey_challenges_expires_at')
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs })
  expiresAt: Date;
}
