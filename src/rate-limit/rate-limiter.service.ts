import { Inject, Injectable, Logger } from '@nestjs/common';
import { OtpException } from '../common/otp.exception.js';
import type { ResolvedOtpOptions, ResolvedRateRule } from '../config/resolve-options.js';
import { RESOLVED_OTP_OPTIONS } from '../otp-internal.constants.js';

/** Names of the module's limits (see `RateLimitOptions`). */
export type RateRuleName = keyof ResolvedOtpOptions['rateLimit']['rules'];

/**
 * Counts attempts in the configured `ThrottlerStorage` (in memory by default, Redis for several
 * instances) and refuses those over a limit.
 */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger('OtpModule');

  constructor(@Inject(RESOLVED_OTP_OPTIONS) private readonly options: ResolvedOtpOptions) {}

  /**
   * Counts one attempt of `rule` for `subject`. Returns the seconds to wait when the limit is
   * reached (the attempt is then not counted), or `0` when it may go on.
   */
  async hit(rule: RateRuleName, subject: string): Promise<number> {
    const limit: ResolvedRateRule | undefined = this.options.rateLimit.rules[rule];
    if (!limit) return 0;
    const record = await this.options.rateLimit.storage.increment(
      `${rule}:${subject}`,
      limit.windowMs,
      limit.limit,
      0,
      'nestjs-otp',
    );
    if (!record.isBlocked) return 0;
    this.logger.warn(`Rate limit ${rule} reached`);
    return Math.max(1, record.timeToBlockExpire || record.timeToExpire);
  }

  /** Counts one attempt; over the limit, throws 429 `TOO_MANY_REQUESTS` with `Retry-After`. */
  async consume(rule: RateRuleName, subject: string): Promise<void> {
    const wait = await this.hit(rule, subject);
    if (wait > 0) throw OtpException.tooManyRequests(wait);
  }
}
