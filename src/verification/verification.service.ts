import { Inject, Injectable, Logger } from '@nestjs/common';
import { maskPhone } from '../common/log.util.js';
import { OtpException } from '../common/otp.exception.js';
import type { OtpChannel } from '../config/otp-options.interface.js';
import type { ResolvedOtpOptions } from '../config/resolve-options.js';
import { RESOLVED_OTP_OPTIONS, VERIFICATION_PROVIDER } from '../otp-internal.constants.js';
import type { VerificationProvider } from './verification-provider.interface.js';

const CODE_SHAPE = /^\d{4,10}$/;

/** Sends and confirms codes through the provider, with the module's channel policy. */
@Injectable()
export class VerificationService {
  private readonly logger = new Logger('OtpModule');

  constructor(
    @Inject(VERIFICATION_PROVIDER) private readonly provider: VerificationProvider,
    @Inject(RESOLVED_OTP_OPTIONS) private readonly options: ResolvedOtpOptions,
  ) {}

  /** Throws `CHANNEL_NOT_ALLOWED` unless `channel` is enabled. */
  assertChannel(channel: unknown): asserts channel is OtpChannel {
    if (!this.options.channels.has(channel as OtpChannel)) throw OtpException.channelNotAllowed();
  }

  /** Sends a code to an E.164 number. Throws `CHANNEL_NOT_ALLOWED` for a disabled channel. */
  async send(e164: string, channel: string): Promise<void> {
    this.assertChannel(channel);
    await this.provider.start(e164, channel as OtpChannel);
    this.logger.log(`Code sent by ${channel} to ${maskPhone(e164)}`);
  }

  /**
   * Resolves when `code` is the approved code for the number; throws `INVALID_CODE`,
   * `CODE_EXPIRED` or `TOO_MANY_REQUESTS` otherwise. Fails closed on provider errors.
   */
  async confirm(e164: string, code: string): Promise<void> {
    if (typeof code !== 'string' || !CODE_SHAPE.test(code)) throw OtpException.invalidCode();
    const status = await this.provider.check(e164, code);
    if (status === 'approved') return;
    this.logger.warn(`Wrong or expired code for ${maskPhone(e164)}`);
    throw status === 'expired' ? OtpException.codeExpired() : OtpException.invalidCode();
  }
}
