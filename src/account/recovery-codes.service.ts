import { Injectable, Logger } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import type { ClientInfo } from '../common/client-info.js';
import { OtpErrorCode } from '../common/otp-error-code.js';
import { OtpException } from '../common/otp.exception.js';
import { clientKey, RateLimiter, type RateSubject } from '../rate-limit/rate-limiter.service.js';
import {
  canonicalRecoveryCode,
  hashRecoveryCode,
  newRecoveryCode,
} from './recovery-code-format.js';
import { RecoveryCodesRepository } from './recovery-codes.repository.js';

/** How many codes a set holds. */
export const RECOVERY_CODES_PER_SET = 10;

/** What `RecoveryCodesService.status()` tells. */
export interface RecoveryCodesStatus {
  /** Unused codes left. */
  remaining: number;
  /** ISO 8601 date the set was made; `null` when the member never made one. */
  createdAt: string | null;
}

/** A well-formed hash that no code has, compared when there is nothing to compare with. */
const NO_HASH = Buffer.alloc(32);

/**
 * Single-use recovery codes: a member makes a set of ten, shown once and stored as hashes only,
 * and signs in with one when their phone is out of reach. Checks are counted in the same limits
 * as confirmation codes.
 */
@Injectable()
export class RecoveryCodesService {
  private readonly logger = new Logger('OtpModule');

  constructor(
    private readonly codes: RecoveryCodesRepository,
    private readonly limits: RateLimiter,
  ) {}

  /** A new set of codes for the member, replacing any earlier set: shown this once. */
  async generate(memberId: string): Promise<{ codes: string[] }> {
    const codes = Array.from({ length: RECOVERY_CODES_PER_SET }, newRecoveryCode);
    const hashes = codes.map((code) => hashRecoveryCode(canonicalRecoveryCode(code)!));
    await this.codes.replace(memberId, hashes, new Date());
    this.logger.log(`Recovery codes of member ${memberId} made (${codes.length})`);
    return { codes };
  }

  /** How many of the member's codes are left, and when the set was made. */
  async status(memberId: string): Promise<RecoveryCodesStatus> {
    const { remaining, createdAt } = await this.codes.status(memberId);
    return { remaining, createdAt: createdAt?.toISOString() ?? null };
  }

  /**
   * Uses one of the member's codes. Counted like a confirmation code: every check for the
   * client IP, a wrong code for the member's phone (`checksPerPhone`, cleared by a right one;
   * a budget of its own, beside the one of the codes sent to the phone).
   * Without a member (an unknown number) it answers like a wrong code after the same work.
   * Resolves to the number of codes left; throws 401 `INVALID_CODE` for a wrong, malformed or
   * used code, 429 over a limit. `before` runs once the code is known to be right and before it
   * is spent: a refusal it throws leaves the code unused.
   */
  async redeem(
    member: { id: string; phoneNumber: string } | null,
    input: unknown,
    client: ClientInfo,
    phoneNumber: string,
    before?: () => void,
  ): Promise<number> {
    // The phone's own budget for recovery codes, under the same rule: guessing recovery codes
    // for someone's number must not use up the checks of the codes sent to them.
    const account: RateSubject = [
      'checksPerPhone',
      `recovery|${member?.phoneNumber ?? phoneNumber}`,
    ];
    const charge = await this.limits.consume([
      ...(client.ip ? [['checksPerIp', clientKey(client.ip)] as const] : []),
      account,
    ]);
    const canonical = canonicalRecoveryCode(input);
    if (canonical === null) {
      await charge.undo(account[0]);
      throw new OtpException(OtpErrorCode.INVALID_CODE);
    }
    const candidate = Buffer.from(hashRecoveryCode(canonical), 'hex');
    const unused = member ? await this.codes.unused(member.id) : [];
    // Every code compared in constant time, none skipped: the time tells nothing of which.
    let found: (typeof unused)[number] | undefined;
    for (const code of unused) {
      if (timingSafeEqual(Buffer.from(code.codeHash, 'hex'), candidate)) found = code;
    }
    if (unused.length === 0) timingSafeEqual(NO_HASH, candidate);
    if (!found) throw new OtpException(OtpErrorCode.INVALID_CODE);
    before?.();
    if (!(await this.codes.markUsed(found.id, new Date()))) {
      throw new OtpException(OtpErrorCode.INVALID_CODE);
    }
    await this.limits.clear([account]);
    return unused.length - 1;
  }
}
