import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import type { Relation } from 'typeorm';
import { epochMs } from '../persistence/epoch-ms.transformer.js';
import { Member } from '../members/member.entity.js';

/**
 * A member's authenticator app (TOTP, RFC 6238): at most one per member, pending until a first
 * code confirms it. The secret is stored encrypted (AES-256-GCM, `TotpSecretCipher`); the last
 * time step accepted is kept so that no code is accepted twice.
 */
@Entity({ name: 'otp_totp_authenticators' })
export class TotpAuthenticator {
  @PrimaryColumn({
    name: 'member_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'pk_otp_totp_authenticators',
  })
  memberId: string;

  @OneToOne(() => Member, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'member_id',
    foreignKeyConstraintName: 'fk_otp_totp_authenticators_member_id',
  })
  member?: Relation<Member>;

  /** The encrypted secret: `v1.<key id>.<iv>.<tag>.<ciphertext>`. */
  @Column({ name: 'secret', type: 'varchar', length: 255 })
  secret: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: Date;

  /** When a first code confirmed it; `null` while pending. */
  @Column({ name: 'confirmed_at', type: 'bigint', nullable: true, transformer: epochMs })
  confirmedAt: Date | null;

  /** The RFC 6238 time step of the last code accepted; codes of that step or earlier are refused. */
  @Column({ name: 'last_time_step', type: 'bigint', nullable: true })
  lastTimeStep: string | number | null;

  /**
   * Wrong codes in a row since the last right one (or the last proof by another factor); at
   * `TOTP_MAX_CONSECUTIVE_FAILURES` the app is locked until the member proves it is them by
   * another factor.
   */
  @Column({ name: 'failed_checks', type: 'integer', default: 0 })
  failedChecks: number;
}
