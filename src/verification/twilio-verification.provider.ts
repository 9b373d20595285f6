import { Logger } from '@nestjs/common';
import { isIP } from 'node:net';
import twilio from 'twilio';
import { maskPhone } from '../events/log.util.js';
import { OTP_CHANNELS, type OtpChannel } from '../otp.constants.js';
import type { ResolvedOtpOptions } from '../config/resolved-otp-options.interface.js';
import { clientKey } from '../rate-limit/rate-limiter.service.js';
import { mapTwilioError, twilioErrorParts } from './twilio-error.mapper.js';
import { VERIFICATION_DEFAULTS } from './verification.options.js';
import type {
  VerificationCheckResult,
  VerificationProvider,
  VerificationRequest,
  VerificationStarted,
} from './verification-provider.interface.js';

type TwilioClient = ReturnType<typeof twilio>;
type VerifyService = ReturnType<TwilioClient['verify']['v2']['services']>;
type CreateParams = Parameters<VerifyService['verifications']['create']>[0];

/** Twilio's answers to a `Locale` it cannot speak: 404 (no such translation), 60331 (voice). */
const LOCALE_REFUSED = new Set([20404, 60331]);

/** A Twilio client for these credentials, whose Verify and Lookup hosts follow `baseUrl`. */
export function createTwilioClient(options: NonNullable<ResolvedOtpOptions['twilio']>) {
  const client = twilio(options.accountSid, options.authToken, {
    timeout: options.timeoutMs,
    autoRetry: false,
  });
  if (options.baseUrl) {
    const baseUrl = options.baseUrl.replace(/\/+$/, '');
    client.verify.baseUrl = baseUrl;
    client.lookups.baseUrl = baseUrl;
  }
  return client;
}

/** The client's address as Verify's `DeviceIp` takes it: a plain IPv4 or IPv6 address. */
function deviceIp(ip: string | undefined): string | undefined {
  if (!ip) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const address = mapped ? mapped[1] : ip;
  return isIP(address) === 0 ? undefined : address;
}

/** Twilio Verify v2 over the official SDK. */
export class TwilioVerificationProvider implements VerificationProvider {
  private readonly logger = new Logger('OtpModule');
  private readonly service: VerifyService;

  constructor(
    options: NonNullable<ResolvedOtpOptions['twilio']>,
    private readonly verify: ResolvedOtpOptions['verify'] = {
      deviceIp: VERIFICATION_DEFAULTS.twilio.deviceIp,
    },
    private readonly codeTtlSeconds: number = VERIFICATION_DEFAULTS.codeTtlSeconds,
  ) {
    this.service = createTwilioClient(options).verify.v2.services(options.verifyServiceSid);
  }

  async start(
    to: string,
    channel: OtpChannel,
    request: VerificationRequest = {},
  ): Promise<VerificationStarted> {
    const params = this.createParams(to, channel, request);
    try {
      return this.started(await this.service.verifications.create(params));
    } catch (error) {
      const { code } = twilioErrorParts(error);
      if (params.locale === undefined || typeof code !== 'number' || !LOCALE_REFUSED.has(code)) {
        throw this.fail('start', to, error, false);
      }
      // Twilio's advice for a locale it refuses: send again without it, in the number's language.
      this.logger.warn(
        `Twilio Verify refused locale ${params.locale} for ${maskPhone(to)} (code ${code}); sending without it`,
      );
      try {
        const withoutLocale = { ...params };
        delete withoutLocale.locale;
        return this.started(await this.service.verifications.create(withoutLocale));
      } catch (retryError) {
        throw this.fail('start', to, retryError, false);
      }
    }
  }

  async check(to: string, code: string): Promise<VerificationCheckResult> {
    try {
      const result = await this.service.verificationChecks.create({ to, code });
      const approved = result.status === 'approved' && result.valid !== false;
      const channel = OTP_CHANNELS.find((known) => known === result.channel);
      return { status: approved ? 'approved' : 'wrong-code', ...(channel && { channel }) };
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

  /** The parameters of `Verifications.create`: the options' and this request's. */
  private createParams(to: string, channel: OtpChannel, request: VerificationRequest) {
    const { customFriendlyName, appHash, tags, rateLimits } = this.verify;
    const ip = deviceIp(request.clientIp);
    const limits: Record<string, string> = {};
    if (rateLimits?.phone) limits[rateLimits.phone] = to;
    if (rateLimits?.clientIp && request.clientIp) {
      limits[rateLimits.clientIp] = clientKey(request.clientIp);
    }
    const params: CreateParams = { to, channel };
    if (request.locale !== undefined) params.locale = request.locale;
    if (customFriendlyName !== undefined) params.customFriendlyName = customFriendlyName;
    // Twilio appends the app hash to SMS only.
    if (appHash !== undefined && channel === 'sms') params.appHash = appHash;
    if (tags !== undefined) params.tags = tags;
    if (this.verify.deviceIp && ip !== undefined) params.deviceIp = ip;
    if (Object.keys(limits).length > 0) params.rateLimits = limits;
    return params;
  }

  /**
   * How long the code just sent stays valid: the validity less the age of the verification, on
   * Twilio's clock (a re-send while a code is pending sends the same code, which keeps its age).
   */
  private started(verification: { dateCreated?: Date; dateUpdated?: Date }): VerificationStarted {
    const created = verification.dateCreated?.getTime();
    const updated = verification.dateUpdated?.getTime();
    const ageSeconds =
      created !== undefined && updated !== undefined && updated >= created
        ? Math.floor((updated - created) / 1000)
        : 0;
    return { expiresInSeconds: Math.max(0, this.codeTtlSeconds - ageSeconds) };
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
