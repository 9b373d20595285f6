import { Inject, Injectable, Logger } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { maskPhone } from '../events/log.util.js';
import { OtpErrorCode } from '../errors/otp-error-code.js';
import { OtpException } from '../errors/otp.exception.js';
import type { OtpChannel } from '../otp.constants.js';
import type { ResolvedOtpOptions } from '../config/resolved-otp-options.interface.js';
import { OtpEvent } from '../events/otp-events.js';
import { OtpEventsService } from '../events/otp-events.service.js';
import { RESOLVED_OTP_OPTIONS, VERIFICATION_PROVIDER } from '../otp-internal.constants.js';
import {
  clientKey,
  RateLimiterService,
  type RateCharge,
  type RateSubject,
} from '../rate-limit/rate-limiter.service.js';
import type {
  VerificationCheckResult,
  VerificationProvider,
  VerificationRequest,
} from './verification-provider.interface.js';
import { LineCheck } from './lookup/line-check.js';
import { TwilioPhoneLookup } from './lookup/twilio-phone-lookup.js';
import { toVerifyLocale, verifyLocaleFromAcceptLanguage } from './verify-locales.js';

const CODE_SHAPE = /^\d{4,10}$/;
const CHECK_TIMES_KEPT = 32;
/**
 * What a code check at Twilio Verify takes, in milliseconds, before this instance has timed
 * enough of its own: about a round trip to Twilio's API plus its work on the check.
 */
export const CHECK_TIME_PRIOR_MS = 250;
/**
 * Checks an instance times before its own figures alone set the wait: until then, the prior
 * stands in for each check not yet seen, so that the first answers after start-up wait too.
 */
export const CHECKS_BEFORE_MEASURED = 5;

/** Who is asking, for per-client limits, Fraud Guard and the language of the code. */
export interface RequestOrigin {
  /** The client's IP address, as the HTTP adapter reports it. */
  ip?: string;
  /** The request's `Accept-Language` header, for `locale: 'auto'`. */
  acceptLanguage?: string;
  /** A Verify locale chosen by the host (a member's saved language); wins over the options. */
  locale?: string;
}

/** What a send answers, for a page's resend timer. */
export interface CodeSent {
  /** The channel the code went out over. */
  channel: OtpChannel;
  /** Seconds before another code can be asked for this number (the send cooldown); 0 when none. */
  resendAfterSeconds: number;
  /** Seconds the code stays valid. */
  expiresInSeconds: number;
}

/** The rules of one code per window: the soonest a number (or email) can be sent another. */
const ONE_SEND_RULES = ['sendCooldown', 'sendsPerPhone', 'sendsPerRange'] as const;

function sameCode(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Sends and confirms codes through the provider, with the module's channel policy, test numbers
 * and send/check limits (checked before anything reaches the provider).
 */
@Injectable()
export class VerificationService {
  private readonly logger = new Logger('OtpModule');
  /** Durations of the last code checks at the provider, in milliseconds. */
  private readonly checkTimes: number[] = [];
  private checkCount = 0;
  /** The Lookup check before sending, when `lookup` is set. */
  private readonly lineCheck?: LineCheck;

  constructor(
    @Inject(VERIFICATION_PROVIDER) private readonly provider: VerificationProvider,
    @Inject(RESOLVED_OTP_OPTIONS) private readonly options: ResolvedOtpOptions,
    private readonly limits: RateLimiterService,
    private readonly events: OtpEventsService,
  ) {
    if (options.lookup && options.twilio) {
      this.lineCheck = new LineCheck(options.lookup, new TwilioPhoneLookup(options.twilio));
    }
  }

  /** Throws `CHANNEL_NOT_ALLOWED` unless `channel` is enabled. */
  assertChannel(channel: unknown): asserts channel is OtpChannel {
    if (!this.options.channels.has(channel as OtpChannel))
      throw new OtpException(OtpErrorCode.CHANNEL_NOT_ALLOWED);
  }

  /**
   * Sends a code to an E.164 number. Throws `CHANNEL_NOT_ALLOWED` for a disabled channel and
   * `TOO_MANY_REQUESTS` over a send limit (a refused send costs nothing). `before` runs once the
   * send is counted and before anything reaches the provider (a refusal it throws stays counted,
   * e.g. "already registered"). With `lookup` set, the number's line is checked next
   * (`DELIVERY_REFUSED` stays counted). When the provider is unreachable the send is not counted.
   * `ipCounted`: the caller has counted the client IP already (the IP is still sent to Twilio).
   */
  async send(
    e164: string,
    channel: string,
    origin: RequestOrigin = {},
    extra: { email?: string; before?: () => Promise<void>; ipCounted?: boolean } = {},
  ): Promise<CodeSent> {
    this.assertChannel(channel);
    const request: VerificationRequest = {
      locale: this.localeFor(origin),
      clientIp: origin.ip,
    };
    const charge = await this.chargeSend(e164, extra.ipCounted ? {} : origin, extra.email);
    await extra.before?.();
    if (this.options.testNumbers.has(e164)) {
      this.logger.log(`Test number ${maskPhone(e164)}: no code sent`);
      return this.receipt(channel);
    }
    let started: Awaited<ReturnType<VerificationProvider['start']>>;
    try {
      if (this.lineCheck?.appliesTo(channel)) await this.lineCheck.assertDeliverable(e164);
      started = await this.provider.start(e164, channel, request);
    } catch (error) {
      const code = error instanceof OtpException ? error.code : undefined;
      if (code === OtpErrorCode.DELIVERY_REFUSED) {
        this.events.emit(OtpEvent.DELIVERY_REFUSED, {
          maskedPhone: maskPhone(e164),
          reason: OtpErrorCode.DELIVERY_REFUSED,
        });
      }
      if (code === undefined || code === OtpErrorCode.PROVIDER_UNAVAILABLE) await charge.undo();
      throw error;
    }
    this.logger.log(`Code sent by ${channel} to ${maskPhone(e164)}`);
    return this.receipt(channel, started ? started.expiresInSeconds : undefined);
  }

  /**
   * What a send over `channel` answers, from the options alone: the wait before the next code
   * (the longest window that holds one send) and the code's lifetime (`codeTtlSeconds`, or the
   * provider's own figure when it gives one).
   */
  receipt(channel: OtpChannel, expiresInSeconds?: number): CodeSent {
    const { rules } = this.options.rateLimit;
    const waits = ONE_SEND_RULES.map((name) => rules[name])
      .filter((rule) => rule !== undefined && rule.limit <= 1)
      .map((rule) => Math.ceil(rule!.windowMs / 1000));
    const lifetime =
      typeof expiresInSeconds === 'number' && Number.isFinite(expiresInSeconds)
        ? Math.max(0, Math.min(Math.round(expiresInSeconds), this.options.codeTtlSeconds))
        : this.options.codeTtlSeconds;
    return {
      channel,
      resendAfterSeconds: Math.max(0, ...waits),
      expiresInSeconds: lifetime,
    };
  }

  /**
   * The Verify locale of a send: the host's own choice, else the `locale` option (a fixed one, or
   * the visitor's `Accept-Language` under `'auto'`). `undefined` leaves it to Twilio. Throws
   * `VALIDATION_FAILED` for a host's locale that Twilio Verify does not support.
   */
  localeFor(origin: RequestOrigin): string | undefined {
    if (origin.locale !== undefined) {
      const chosen = typeof origin.locale === 'string' ? toVerifyLocale(origin.locale) : undefined;
      if (!chosen) {
        throw new OtpException(OtpErrorCode.VALIDATION_FAILED, {
          message: 'locale must be a language Twilio Verify supports',
        });
      }
      return chosen;
    }
    const { locale } = this.options;
    if (locale === false) return undefined;
    if (locale === 'auto') return verifyLocaleFromAcceptLanguage(origin.acceptLanguage);
    return locale;
  }

  /**
   * Resolves when `code` is the approved code for the number; throws `INVALID_CODE`,
   * `CODE_EXPIRED` or `TOO_MANY_REQUESTS` otherwise. Fails closed on provider errors.
   *
   * Every check counts for the client IP. Only a wrong code against a code still pending counts
   * for the phone (`checksPerPhone`), so that nobody can use up a member's budget without the
   * codes sent to them; the right code clears the phone's count. `before` runs once the check
   * is counted (a refusal it throws stays counted). With `account`, the check is counted for
   * that subject instead of the phone, every failure alike (password reset, where a phone would
   * tell whether the email exists). Resolves to the channel the approved code went out over.
   */
  async confirm(
    e164: string,
    code: string,
    origin: RequestOrigin = {},
    extra: { before?: () => Promise<void>; account?: string } = {},
  ): Promise<OtpChannel> {
    const account: RateSubject = extra.account
      ? ['resetChecksPerEmail', extra.account]
      : ['checksPerPhone', e164];
    const charge = await this.limits.consume([
      ...(origin.ip ? [['checksPerIp', clientKey(origin.ip)] as const] : []),
      account,
    ]);
    await extra.before?.();
    if (typeof code !== 'string' || !CODE_SHAPE.test(code)) {
      // Never reaches the provider: the client IP pays, the account does not.
      await charge.undo(account[0]);
      throw new OtpException(OtpErrorCode.INVALID_CODE);
    }
    const { status, channel = 'sms' } = await this.check(e164, code);
    if (status === 'approved') {
      // The phone's owner has it: its sends are theirs again, as Twilio lifts 60203 on approval.
      await this.limits.clear([account, ['sendsPerPhone', e164]]);
      return channel;
    }
    if (status === 'expired' && !extra.account) await charge.undo(account[0]);
    throw status === 'expired'
      ? new OtpException(OtpErrorCode.CODE_EXPIRED)
      : new OtpException(OtpErrorCode.INVALID_CODE);
  }

  /**
   * Answers a reset check that cannot succeed (no member with a password behind `account`)
   * exactly as a wrong code: counted in the same limits, after about the time a check takes.
   */
  async refuseCheck(code: string, origin: RequestOrigin, account: string): Promise<never> {
    const subject: RateSubject = ['resetChecksPerEmail', account];
    const charge = await this.limits.consume([
      ...(origin.ip ? [['checksPerIp', clientKey(origin.ip)] as const] : []),
      subject,
    ]);
    if (typeof code !== 'string' || !CODE_SHAPE.test(code)) {
      await charge.undo(subject[0]);
    } else {
      await this.waitLikeACheck();
    }
    throw new OtpException(OtpErrorCode.INVALID_CODE);
  }

  /**
   * Waits about as long as a code check at the provider takes, so that an answer that needs no
   * check looks like one that did: the median of the last checks timed, where each of the first
   * {@link CHECKS_BEFORE_MEASURED} not yet seen counts as {@link CHECK_TIME_PRIOR_MS}. Right
   * after start-up it waits the prior; after a few checks, what this instance measured.
   */
  async waitLikeACheck(): Promise<void> {
    const missing = Math.max(0, CHECKS_BEFORE_MEASURED - this.checkTimes.length);
    const times = [...this.checkTimes, ...Array<number>(missing).fill(CHECK_TIME_PRIOR_MS)];
    const median = times.sort((a, b) => a - b)[times.length >> 1];
    const ms = median * (0.9 + Math.random() * 0.2);
    if (ms >= 1) await new Promise((resolve) => setTimeout(resolve, ms));
  }

  private async check(e164: string, code: string): Promise<VerificationCheckResult> {
    const fixed = this.options.testNumbers.get(e164);
    if (fixed !== undefined) return { status: sameCode(fixed, code) ? 'approved' : 'wrong-code' };
    const started = performance.now();
    try {
      const result = await this.provider.check(e164, code);
      return typeof result === 'string' ? { status: result } : result;
    } catch (error) {
      if (error instanceof OtpException && error.code === OtpErrorCode.CODE_EXPIRED) {
        return { status: 'expired' };
      }
      throw error;
    } finally {
      this.checkTimes[this.checkCount++ % CHECK_TIMES_KEPT] = performance.now() - started;
    }
  }

  /**
   * Counts a password-reset send for `email` (normalised), known or not, and for the client's
   * IP; over a limit, counts nothing and throws `TOO_MANY_REQUESTS`. The reset is counted on
   * `sendsPerEmail` under a subject of its own, apart from the sign-up and sign-in sends for the
   * same email: a member's own sign-in spends nothing of the reset's budget (which would set
   * their email apart from an unknown one), and resets asked by anyone spend nothing of the
   * member's sign-in. An address has no `:` outside quotes, so no email is another's reset
   * subject.
   */
  chargeResetSend(email: string, origin: RequestOrigin): Promise<RateCharge> {
    return this.limits.consume([
      ...(origin.ip ? [['sendsPerIp', clientKey(origin.ip)] as const] : []),
      ['sendsPerEmail', `reset:${email}`],
    ]);
  }

  /** Counts a send against every limit that applies, all or none. */
  private chargeSend(e164: string, origin: RequestOrigin, email?: string): Promise<RateCharge> {
    const callingCode = parsePhoneNumberFromString(e164)?.countryCallingCode ?? e164.slice(1, 2);
    return this.limits.consume([
      ...(origin.ip ? [['sendsPerIp', clientKey(origin.ip)] as const] : []),
      ['sendsPerCountry', callingCode],
      ['sendsPerRange', e164.slice(0, -4)],
      ['sendCooldown', e164],
      ['sendsPerPhone', e164],
      ...(email ? [['sendsPerEmail', email] as const] : []),
    ]);
  }
}
