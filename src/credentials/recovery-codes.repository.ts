import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, IsNull, Repository } from 'typeorm';
import { OTP_DATA_SOURCE, OTP_RECOVERY_CODE_REPOSITORY } from '../otp-internal.constants.js';
import { writeAtomically } from '../persistence/atomic-insert.js';
import { RecoveryCode } from './recovery-code.entity.js';

/** Where recovery codes are stored: their hashes, by member. Not exported. */
@Injectable()
export class RecoveryCodesRepository {
  constructor(
    @Inject(OTP_RECOVERY_CODE_REPOSITORY) private readonly codes: Repository<RecoveryCode>,
    @Inject(OTP_DATA_SOURCE) private readonly dataSource: DataSource,
  ) {}

  /** Replaces a member's codes by these hashes, all-or-nothing. */
  async replace(memberId: string, hashes: string[], now: Date): Promise<void> {
    const builder = () => this.dataSource.createQueryBuilder();
    await writeAtomically(this.dataSource, [
      builder()
        .delete()
        .from(RecoveryCode)
        .where('member_id = :memberId', { memberId })
        .getQueryAndParameters(),
      builder()
        .insert()
        .into(RecoveryCode)
        .values(
          hashes.map((codeHash) => ({
            id: randomUUID(),
            memberId,
            codeHash,
            createdAt: now,
            usedAt: null,
          })),
        )
        .getQueryAndParameters(),
    ]);
  }

  /** A member's unused codes. */
  unused(memberId: string): Promise<RecoveryCode[]> {
    return this.codes.find({ where: { memberId, usedAt: IsNull() } });
  }

  /** Marks a code used; `false` when it was already used (by a concurrent request). */
  async markUsed(id: string, now: Date): Promise<boolean> {
    const result = await this.codes.update({ id, usedAt: IsNull() }, { usedAt: now });
    return result.affected === 1;
  }

  /** How many unused codes a member has, and when their set was made. */
  async status(memberId: string): Promise<{ remaining: number; createdAt: Date | null }> {
    const all = await this.codes.find({
      where: { memberId },
      select: { createdAt: true, usedAt: true },
    });
    return {
      remaining: all.filter((code) => code.usedAt === null).length,
      createdAt: all.length > 0 ? all[0].createdAt : null,
    };
  }
}
