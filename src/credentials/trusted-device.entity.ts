import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, Unique } from 'typeorm';
import type { Relation } from 'typeorm';
import { epochMs } from '../persistence/epoch-ms.transformer.js';
import { Member } from '../members/member.entity.js';

/**
 * A browser or app a member chose to trust at a two-factor sign-in: with its token, the member
 * signs in with email and password alone until it expires. Only the token's SHA-256 is stored,
 * bound to the member; devices go when their member goes.
 */
@Entity({ name: 'otp_trusted_devices' })
@Unique('uq_otp_trusted_devices_token_hash', ['tokenHash'])
export class TrustedDevice {
  @PrimaryColumn({
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'pk_otp_trusted_devices',
  })
  id: string;

  @Index('idx_otp_trusted_devices_member_id')
  @Column({ name: 'member_id', type: 'varchar', length: 36 })
  memberId: string;

  @ManyToOne(() => Member, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'member_id', foreignKeyConstraintName: 'fk_otp_trusted_devices_member_id' })
  member?: Relation<Member>;

  /** Hex SHA-256 of the device token. */
  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs })
  expiresAt: Date;

  @Column({ name: 'last_used_at', type: 'bigint', transformer: epochMs })
  lastUsedAt: Date;

  /** The browser or client that was trusted, shortened, to tell devices apart. */
  @Column({ name: 'user_agent', type: 'varchar', length: 200, nullable: true })
  userAgent: string | null;
}
