import { Injectable } from '@nestjs/common';
import { RecoverySignInService } from '../credentials/recovery-sign-in.service.js';
import { SecondFactorService } from '../credentials/second-factor.service.js';
import { TrustedDevicesService } from '../credentials/trusted-devices.service.js';
import type { ClientInfo } from '../http/client-info.js';
import { OtpErrorCode } from '../errors/otp-error-code.js';
import { OtpException } from '../errors/otp.exception.js';
import { SignInAuditService } from '../events/sign-in-audit.service.js';
import { toMemberView } from '../members/member.entity.js';
import type { MemberWithSecret } from '../members/members.repository.js';
import type { AuthMethod } from '../sessions/session-assurance.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { VerificationService } from '../verification/verification.service.js';
import { CredentialCheckerService } from '../credentials/credential-checker.service.js';
import type {
  LoginCodeSent,
  LoginInfo,
  MemberInfo,
  TwoFactorLoginResult,
} from './two-factor.types.js';

/** Two-factor sign-in: email and password, then a code sent to the member's own phone. */
@Injectable()
export class TwoFactorSignInService {
  constructor(
    private readonly verification: VerificationService,
    private readonly credentials: CredentialCheckerService,
    private readonly sessions: SessionsService,
    private readonly audit: SignInAuditService,
    private readonly recovery: RecoverySignInService,
    private readonly secondFactor: SecondFactorService,
    private readonly devices: TrustedDevicesService,
  ) {}

  /**
   * Checks email and password and sends a sign-in code to the member's own phone. An unknown
   * email and a wrong password give the same 401 `INVALID_CREDENTIALS` in the same time.
   */
  async sendCode(info: MemberInfo, client: ClientInfo): Promise<LoginCodeSent> {
    if (info.channel !== 'totp') this.verification.assertChannel(info.channel);
    const member = await this.credentials.check(info.email, info.password, client);
    if (await this.devices.recognise(member.id, info.deviceToken)) {
      return { results: true, codeRequired: false };
    }
    // Past the password: the caller may learn how the member can prove it is them.
    const methods = await this.secondFactor.methods(member.id);
    if (info.channel === 'totp') {
      await this.secondFactor.assertTotp(member.id);
      return { results: true, channel: 'totp', methods };
    }
    const sent = await this.verification.send(member.phoneNumber, info.channel, client, {
      email: member.email,
    });
    return { results: true, ...sent, methods };
  }

  /**
   * Checks email, password and the code sent to the member's phone, or one of their recovery
   * codes (exactly one of the two), or a trusted device's token, and signs in. The session
   * records how: `pwd` and the code's channel (`sms`, `tel`, `whatsapp`), `otp` for an app,
   * `recovery` or `device`.
   */
  async login(info: LoginInfo, client: ClientInfo): Promise<TwoFactorLoginResult> {
    if (info.confirmationCode !== undefined && info.recoveryCode !== undefined) {
      throw new OtpException(OtpErrorCode.VALIDATION_FAILED, {
        message: 'Give either confirmationCode or recoveryCode',
      });
    }
    // Refused before any check, so that nothing is spent on a sign-in that cannot be answered.
    if (info.rememberDevice === true && !this.devices.available) {
      throw new OtpException(OtpErrorCode.VALIDATION_FAILED, {
        message: 'rememberDevice is not available: trusted devices are turned off',
      });
    }
    const member = await this.credentials.check(info.email, info.password, client);
    let result: TwoFactorLoginResult;
    if (info.recoveryCode !== undefined) {
      result = await this.recovery.twoFactor(member, info.recoveryCode, client);
    } else if (info.confirmationCode !== undefined) {
      let method: AuthMethod;
      try {
        method = await this.secondFactor.confirm(member, info.confirmationCode, client);
      } catch (error) {
        const refusal = { flow: 'Two-factor sign-in', method: 'two-factor' as const };
        this.audit.refused({ ...refusal, memberId: member.id, e164: member.phoneNumber }, error);
        throw error;
      }
      result = await this.startSession(member, method, client);
    } else if (await this.devices.recognise(member.id, info.deviceToken)) {
      result = await this.startSession(member, 'device', client);
    } else {
      throw new OtpException(OtpErrorCode.VALIDATION_FAILED, {
        message:
          info.deviceToken === undefined
            ? 'Give confirmationCode or recoveryCode'
            : 'This device is no longer trusted: give confirmationCode or recoveryCode',
      });
    }
    if (info.rememberDevice === true) {
      result.deviceToken = await this.devices.trust(member.id, client.userAgent);
    }
    return result;
  }

  private async startSession(
    member: MemberWithSecret,
    method: AuthMethod,
    client: ClientInfo,
  ): Promise<TwoFactorLoginResult> {
    const { token } = await this.sessions.create(
      member.id,
      [{ method: 'pwd' }, { method }],
      client.userAgent,
    );
    this.audit.signedIn(member.id, member.phoneNumber, 'two-factor');
    return { sessionToken: token, member: toMemberView(member) };
  }
}
