import { Logger } from '@nestjs/common';
import { maskPhone, sanitizeForLog } from '../../events/log.util.js';
import { OtpErrorCode } from '../../errors/otp-error-code.js';
import { OtpException } from '../../errors/otp.exception.js';
import type { ResolvedOtpOptions } from '../../config/resolved-otp-options.interface.js';
import { twilioErrorParts } from '../twilio-error.mapper.js';
import type { OtpChannel } from '../../otp.constants.js';
import type { LineFacts, LookupField, PhoneLookup } from './phone-lookup.interface.js';

type LookupPolicy = NonNullable<ResolvedOtpOptions['lookup']>;

/** Why a number may not receive codes, for the log; `undefined` when it may. */
type Refusal = string | undefined;

interface CachedVerdict {
  refusal: Refusal;
  expiresAt: number;
}

/** Seconds a client is asked to wait when Lookup is down and the check fails closed. */
const UNAVAILABLE_RETRY_SECONDS = 30;

/**
 * The line check before a number's first code: asks Lookup for the packages the options name,
 * refuses line types outside `allowedLineTypes` and SMS pumping risk above `maxSmsPumpingRisk`,
 * and keeps each number's verdict for `cacheTtlMs` in a cache of at most `cacheSize` numbers
 * (the least recently used dropped first). Concurrent checks of one number share one request.
 */
export class LineCheck {
  private readonly logger = new Logger('OtpModule');
  private readonly verdicts = new Map<string, CachedVerdict>();
  private readonly pending = new Map<string, Promise<Refusal>>();
  private readonly fields: LookupField[];

  constructor(
    private readonly policy: LookupPolicy,
    private readonly lookup: PhoneLookup,
    private readonly now: () => number = Date.now,
  ) {
    this.fields = [
      ...(policy.allowedLineTypes ? (['line_type_intelligence'] as const) : []),
      ...(policy.maxSmsPumpingRisk !== undefined ? (['sms_pumping_risk'] as const) : []),
    ];
  }

  /** Numbers whose verdict is kept. */
  get size(): number {
    return this.verdicts.size;
  }

  /** Whether sends over `channel` are checked. */
  appliesTo(channel: OtpChannel): boolean {
    return this.policy.channels.has(channel);
  }

  /**
   * Resolves when the number may receive a code. Throws 422 `DELIVERY_REFUSED` for a refused
   * number; when Lookup fails, resolves (`whenUnavailable: 'send'`) or throws 503
   * `PROVIDER_UNAVAILABLE` (`'refuse'`), logging either way.
   */
  async assertDeliverable(e164: string): Promise<void> {
    let refusal: Refusal;
    try {
      refusal = await this.verdict(e164);
    } catch (error) {
      const { status, code } = twilioErrorParts(error);
      const failOpen = this.policy.whenUnavailable === 'send';
      const misconfigured = status === 401 || status === 403;
      const line = `Twilio Lookup for ${maskPhone(e164)} failed (status ${status ?? '-'}, code ${code ?? '-'}); ${failOpen ? 'sending without a line check' : 'refusing to send'}`;
      if (misconfigured) this.logger.error(line);
      else this.logger.warn(line);
      if (failOpen) return;
      throw new OtpException(OtpErrorCode.PROVIDER_UNAVAILABLE, {
        retryAfterSeconds: UNAVAILABLE_RETRY_SECONDS,
      });
    }
    if (refusal !== undefined) {
      this.logger.warn(`Lookup refused ${maskPhone(e164)}: ${sanitizeForLog(refusal, 80)}`);
      throw new OtpException(OtpErrorCode.DELIVERY_REFUSED);
    }
  }

  /** The cached verdict for the number, or Lookup's (one request for concurrent callers). */
  private verdict(e164: string): Promise<Refusal> {
    const now = this.now();
    const cached = this.verdicts.get(e164);
    if (cached && cached.expiresAt > now) {
      // Most recently used last, so that eviction drops the least recently used.
      this.verdicts.delete(e164);
      this.verdicts.set(e164, cached);
      return Promise.resolve(cached.refusal);
    }
    if (cached) this.verdicts.delete(e164);
    const inFlight = this.pending.get(e164);
    if (inFlight) return inFlight;
    const request = this.lookup
      .fetch(e164, this.fields)
      .then((facts) => {
        const refusal = this.judge(facts);
        this.remember(e164, refusal);
        return refusal;
      })
      .finally(() => this.pending.delete(e164));
    this.pending.set(e164, request);
    return request;
  }

  private remember(e164: string, refusal: Refusal): void {
    this.verdicts.delete(e164);
    this.verdicts.set(e164, { refusal, expiresAt: this.now() + this.policy.cacheTtlMs });
    while (this.verdicts.size > this.policy.cacheSize) {
      const oldest = this.verdicts.keys().next().value as string;
      this.verdicts.delete(oldest);
    }
  }

  /** Why Lookup's answer refuses the number, if it does. */
  private judge(facts: LineFacts): Refusal {
    const { allowedLineTypes, maxSmsPumpingRisk } = this.policy;
    if (
      allowedLineTypes &&
      facts.lineType !== null &&
      !allowedLineTypes.has(facts.lineType as never)
    ) {
      return `line type ${facts.lineType}`;
    }
    if (maxSmsPumpingRisk !== undefined) {
      if (facts.numberBlocked === true) return 'blocked for SMS pumping';
      if (facts.smsPumpingRiskScore !== null && facts.smsPumpingRiskScore > maxSmsPumpingRisk) {
        return `SMS pumping risk ${facts.smsPumpingRiskScore}`;
      }
    }
    return undefined;
  }
}
