import type { ClientInfo } from '../http/client-info.js';
import { Injectable, Logger } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { OtpErrorCode } from '../errors/otp-error-code.js';
import { OtpException } from '../errors/otp.exception.js';
import {
  clientKey,
  RateLimiterService,
  type RateSubject,
} from '../rate-limit/rate-limiter.service.js';
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
    private readonly limits: RateLimiterService,
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
   * Uses one of the member's codes. Every check counts for the client IP (`checksPerIp`), and
   * nothing for the member or the number: a code has 120 bits, so guessing is bounded by the
   * clients' own limits, and junk codes from anyone cannot lock out the member who lost their
   * phone. Without a client IP (a host calling the service directly) the number's own budget
   * (`checksPerPhone`, apart from the codes sent to it) bounds it instead, cleared by a right code.
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
    const subject: RateSubject = client.ip
      ? ['checksPerIp', clientKey(client.ip)]
      : ['checksPerPhone', `recovery|${member?.phoneNumber ?? phoneNumber}`];
    await this.limits.consume([subject]);
    const canonical = canonicalRecoveryCode(input);
    if (canonical === null) throw new OtpException(OtpErrorCode.INVALID_CODE);
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
    if (!client.ip) await this.limits.clear([subject]);
    return unused.length - 1;
  }
}
