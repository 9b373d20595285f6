import { Logger } from '@nestjs/common';
import twilio from 'twilio';
import { maskPhone } from '../common/log.util.js';
import type { OtpChannel } from './otp-channel.js';
import type { ResolvedOtpOptions } from '../config/resolved-otp-options.interface.js';
import { mapTwilioError, twilioErrorParts } from './twilio-error.mapper.js';
import type {
  VerificationCheckStatus,
  VerificationProvider,
} from './verification-provider.interface.js';

type TwilioClient = ReturnType<typeof twilio>;
type VerifyService = ReturnType<TwilioClient['verify']['v2']['services']>;

/** Twilio Verify v2 over the official SDK. */
export class TwilioVerificationProvider implements VerificationProvider {
  private readonly logger = new Logger('OtpModule');
  private readonly service: VerifyService;

  constructor(options: NonNullable<ResolvedOtpOptions['twilio']>) {
    const client = twilio(options.accountSid, options.authToken, {
      timeout: options.timeoutMs,
      autoRetry: false,
    });
    if (options.baseUrl) client.verify.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.service = client.verify.v2.services(options.verifyServiceSid);
  }

  async start(to: string, channel: OtpChannel): Promise<void> {
    try {
      await this.service.verifications.create({ to, channel });
    } catch (error) {
      throw this.fail('start', to, error, false);
    }
  }

  async check(to: string, code: string): Promise<VerificationCheckStatus> {
    try {
      const result = await this.service.verificationChecks.create({ to, code });
      return result.status === 'approved' && result.valid !== false ? 'approved' : 'wrong-code';
    } catch (error) {
      throw this.fail('check', to, error, true);
    }
  }

  async cancel(to: string): Promise<void> {
    try {
      await this.service.verifications(to).update({ status: 'canceled' });
    } catch (error) {
      const { code } = twilioErrorParts(error);
      if (code === 20404) return;
      throw this.fail('cancel', to, error, false);
    }
  }

  private fail(operation: string, to: string, error: unknown, onCheck: boolean) {
    const mapped = mapTwilioError(error, onCheck);
    const { status, code } = twilioErrorParts(error);
    this.logger.warn(
      `Twilio Verify ${operation} for ${maskPhone(to)} failed (status ${status ?? '-'}, code ${code ?? '-'}): ${mapped.code}`,
    );
    return mapped;
  }
}
