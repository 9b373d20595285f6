import { Inject, Injectable } from '@nestjs/common';
import { RecoveryCodesService } from './recovery-codes.service.js';
import type { ClientInfo } from '../http/client-info.js';
import { OtpErrorCode } from '../errors/otp-error-code.js';
import { OtpException } from '../errors/otp.exception.js';
import type { ResolvedOtpOptions } from '../config/resolved-otp-options.interface.js';
import { RESOLVED_OTP_OPTIONS } from '../otp-internal.constants.js';
import type { OtpChannel } from '../otp.constants.js';
import { VerificationService } from '../verification/verification.service.js';
import { channelMethod, type AuthMethod } from '../sessions/session-assurance.js';
import { lockedApp, TotpService } from './totp.service.js';

/** How a member can prove it is them beside the password: channels, an app, recovery codes. */
export type SecondFactorMethod = OtpChannel | 'totp' | 'recovery';

/** The member a second factor is checked for. */
interface Subject {
  id: string;
  phoneNumber: string;
}

/**
 * The second factor of a sign-in or a re-verification: a code sent to the phone, or a code of
 * the member's authenticator app. With an app, a code is checked against it first, then against
 * Twilio Verify (the member may have asked for an SMS instead); a wrong app code then answers
 * `INVALID_CODE`, not "expired".
 */
@Injectable()
export class SecondFactorService {
  constructor(
    @Inject(RESOLVED_OTP_OPTIONS) private readonly options: ResolvedOtpOptions,
    private readonly verification: VerificationService,
    private readonly totp: TotpService,
    private readonly recoveryCodes: RecoveryCodesService,
  ) {}

  /** The methods the member has, in order: the enabled channels, `totp`, `recovery`. */
  async methods(memberId: string): Promise<SecondFactorMethod[]> {
    const [totp, recovery] = await Promise.all([
      this.totp.state(memberId),
      this.recoveryCodes.status(memberId),
    ]);
    return [
      ...this.options.channels,
      ...(totp === 'ready' ? (['totp'] as const) : []),
      ...(recovery.remaining > 0 ? (['recovery'] as const) : []),
    ];
  }

  /**
   * For a member who asked for `channel: 'totp'`: nothing is sent. Throws `CHANNEL_NOT_ALLOWED`
   * when the member has no authenticator app, or when it is locked after too many wrong codes.
   */
  async assertTotp(memberId: string): Promise<void> {
    const state = await this.totp.state(memberId);
    if (state === 'ready') return;
    throw new OtpException(OtpErrorCode.CHANNEL_NOT_ALLOWED, {
      message:
        state === 'none'
          ? 'This account has no authenticator app. Choose SMS or a call.'
          : lockedApp().message,
    });
  }

  /**
   * Resolves to how the member proved it (`otp` for the app, else the code's channel: `sms`,
   * `tel`, `whatsapp`) when `code` is right for them; throws as a code check does. A code that
   * is neither counts as one consecutive failure of the app; a right code sent to the phone
   * counts nothing against the app, and renews it after too many failures (a fresh proof by
   * another factor).
   */
  async confirm(member: Subject, code: string, client: ClientInfo): Promise<AuthMethod> {
    // One lookup: `null` without an app, else whether the code is the app's.
    const app = await this.totp.attempt(member.id, code, client);
    if (app?.accepted) return 'otp';
    let channel: OtpChannel;
    try {
      channel = await this.verification.confirm(member.phoneNumber, code, client);
    } catch (error) {
      await app?.fail();
      if (app && error instanceof OtpException && error.code === OtpErrorCode.CODE_EXPIRED) {
        throw app.locked
          ? lockedApp()
          : new OtpException(OtpErrorCode.INVALID_CODE, { cause: error });
      }
      throw error;
    }
    await app?.forgive();
    return channelMethod(channel);
  }
}
