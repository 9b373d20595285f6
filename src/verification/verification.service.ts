import { Inject, Injectable, Logger } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { maskPhone } from '../common/log.util.js';
import { OtpErrorCode } from '../common/otp-error-code.js';
import { OtpException } from '../common/otp.exception.js';
import type { OtpChannel } from '../config/otp-options.interface.js';
import type { ResolvedOtpOptions } from '../config/resolve-options.js';
import { OtpEvent } from '../events/otp-events.js';
import { OtpEventsService } from '../events/otp-events.service.js';
import { RESOLVED_OTP_OPTIONS, VERIFICATION_PROVIDER } from '../otp-internal.constants.js';
import { RateLimiter } from '../rate-limit/rate-limiter.service.js';
import type { VerificationProvider } from './verification-provider.interface.js';

const CODE_SHAPE = /^\d{4,10}$/;

/** Who is asking, for per-client limits. */
export interface RequestOrigin {
  /** The client's IP address, as the HTTP adapter reports it. */
  ip?: string;
}

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

  constructor(
    @Inject(VERIFICATION_PROVIDER) private readonly provider: VerificationProvider,
    @Inject(RESOLVED_OTP_OPTIONS) private readonly options: ResolvedOtpOptions,
    private readonly limits: RateLimiter,
    private readonly events: OtpEventsService,
  ) {}

  /** Throws `CHANNEL_NOT_ALLOWED` unless `channel` is enabled. */
  assertChannel(channel: unknown): asserts channel is OtpChannel {
    if (!this.options.channels.has(channel as OtpChannel)) throw OtpException.channelNotAllowed();
  }

  /**
   * Sends a code to an E.164 number. Throws `CHANNEL_NOT_ALLOWED` for a disabled channel and
   * `TOO_MANY_REQUESTS` over a send limit.
   */
  async send(e164: string, channel: string, origin: RequestOrigin = {}): Promise<void> {
    this.assertChannel(channel);
    await this.chargeSend(e164, origin);
    if (this.options.testNumbers.has(e164)) {
      this.logger.log(`Test number ${maskPhone(e164)}: no code sent`);
      return;
    }
    try {
      await this.provider.start(e164, channel);
    } catch (error) {
      if (error instanceof OtpException && error.code === OtpErrorCode.DELIVERY_REFUSED) {
        this.events.emit(OtpEvent.DELIVERY_REFUSED, {
          maskedPhone: maskPhone(e164),
          reason: OtpErrorCode.DELIVERY_REFUSED,
        });
      }
      throw error;
    }
    this.logger.log(`Code sent by ${channel} to ${maskPhone(e164)}`);
  }

  /**
   * Resolves when `code` is the approved code for the number; throws `INVALID_CODE`,
   * `CODE_EXPIRED` or `TOO_MANY_REQUESTS` otherwise. Fails closed on provider errors.
   */
  async confirm(e164: string, code: string): Promise<void> {
    if (typeof code !== 'string' || !CODE_SHAPE.test(code)) throw OtpException.invalidCode();
    await this.limits.consume('checksPerPhone', e164);
    const fixed = this.options.testNumbers.get(e164);
    const status =
      fixed !== undefined
        ? sameCode(fixed, code)
          ? 'approved'
          : 'wrong-code'
        : await this.provider.check(e164, code);
    if (status === 'approved') return;
    this.logger.warn(`Wrong or expired code for ${maskPhone(e164)}`);
    throw status === 'expired' ? OtpException.codeExpired() : OtpException.invalidCode();
  }

  /** Counts a send against every limit that applies, the client's first. */
  private async chargeSend(e164: string, origin: RequestOrigin): Promise<void> {
    if (origin.ip) await this.limits.consume('sendsPerIp', origin.ip);
    const callingCode = parsePhoneNumberFromString(e164)?.countryCallingCode ?? e164.slice(1, 2);
    await this.limits.consume('sendsPerCountry', callingCode);
    await this.limits.consume('sendsPerRange', e164.slice(0, -4));
    await this.limits.consume('sendCooldown', e164);
    await this.limits.consume('sendsPerPhone', e164);
  }
}
