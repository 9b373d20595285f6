import { Inject, Injectable } from '@nestjs/common';
import { IsNull, Repository } from 'typeorm';
import { OTP_TOTP_REPOSITORY } from '../otp-internal.constants.js';
import { isUniqueViolation } from '../persistence/sql.js';
import { TotpAuthenticator } from './totp-authenticator.entity.js';

/** Where members' authenticator apps are stored. Not exported. */
@Injectable()
export class TotpRepository {
  constructor(
    @Inject(OTP_TOTP_REPOSITORY) private readonly authenticators: Repository<TotpAuthenticator>,
  ) {}

  find(memberId: string): Promise<TotpAuthenticator | null> {
    return this.authenticators.findOneBy({ memberId });
  }

  /** Stores a new pending authenticator, replacing a pending one; `false` when one is confirmed. */
  async savePending(memberId: string, secret: string, now: Date): Promise<boolean> {
    await this.authenticators.delete({ memberId, confirmedAt: IsNull() });
    try {
      await this.authenticators.insert({
        memberId,
        secret,
        createdAt: now,
        confirmedAt: null,
        lastTimeStep: null,
        failedChecks: 0,
      });
      return true;
    } catch (error) {
      // A confirmed authenticator holds the member's row (or a concurrent set-up won).
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /**
   * Records that a code of `timeStep` was accepted, and confirms a pending authenticator; `false`
   * when a code of that step or a later one was accepted first (a replay, or a race).
   */
  async accept(memberId: string, timeStep: number, now: Date, confirm: boolean): Promise<boolean> {
    const result = await this.authenticators
      .createQueryBuilder()
      .update()
      .set({ lastTimeStep: timeStep, failedChecks: 0, ...(confirm && { confirmedAt: now }) })
      .where('member_id = :memberId', { memberId })
      .andWhere('(last_time_step IS NULL OR last_time_step < :timeStep)', { timeStep })
      .execute();
    return result.affected === 1;
  }

  /** Counts one more wrong code in a row. */
  async recordFailure(memberId: string): Promise<void> {
    await this.authenticators
      .createQueryBuilder()
      .update()
      .set({ failedChecks: () => 'failed_checks + 1' })
      .where('member_id = :memberId', { memberId })
      .execute();
  }

  /** Forgets the wrong codes in a row; `true` when there were any. */
  async resetFailures(memberId: string): Promise<boolean> {
    const result = await this.authenticators
      .createQueryBuilder()
      .update()
      .set({ failedChecks: 0 })
      .where('member_id = :memberId AND failed_checks > 0', { memberId })
      .execute();
    return Boolean(result.affected);
  }

  /** Stores the secret encrypted again (under the current key). */
  async reencrypt(memberId: string, secret: string): Promise<void> {
    await this.authenticators.update({ memberId }, { secret });
  }

  async delete(memberId: string): Promise<boolean> {
    const result = await this.authenticators.delete({ memberId });
    return Boolean(result.affected);
  }

  /** Whether the member has a confirmed authenticator, and its wrong codes in a row. */
  async confirmedState(memberId: string): Promise<{ failedChecks: number } | null> {
    const row = await this.authenticators.findOne({
      where: { memberId },
      select: { memberId: true, confirmedAt: true, failedChecks: true },
    });
    return row?.confirmedAt ? { failedChecks: row.failedChecks } : null;
  }
}
