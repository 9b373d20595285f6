import type { ClientInfo } from '../http/client-info.js';
import type { OtpChannel } from '../otp.constants.js';
import type { CodeSent } from '../verification/verification.service.js';
import type {
  ChangePasswordInfo,
  LoginCodeSent,
  LoginInfo,
  MemberInfo,
  RegisterInfo,
  RegisterResult,
  ResetPasswordInfo,
  TwoFactorLoginResult,
  VisitorInfo,
} from './two-factor.types.js';
import { Injectable } from '@nestjs/common';
import { PasswordService } from './password.service.js';
import { TwoFactorSignInService } from './two-factor-sign-in.service.js';
import { TwoFactorSignUpService } from './two-factor-sign-up.service.js';

/**
 * Two-factor sign-up and sign-in (seed `two-factor-auth-twilio`): email + password + a code sent
 * to the phone given at sign-up; password change and reset by code. One service for hosts and
 * the controllers, over the sign-up, sign-in and password flows.
 */
@Injectable()
export class TwoFactorService {
  constructor(
    private readonly signUp: TwoFactorSignUpService,
    private readonly signIn: TwoFactorSignInService,
    private readonly passwords: PasswordService,
  ) {}

  /**
   * Sends a registration code to the visitor's phone unless the email or phone is already
   * registered (409 `ALREADY_REGISTERED`, counted against the send limits like a send). A
   * `password` given here is checked against the policy first (400 `VALIDATION_FAILED`, nothing
   * sent), so that a weak one is refused before a code is spent; `register` still needs it.
   */
  sendRegConfirmCode(
    visitor: VisitorInfo,
    client: ClientInfo = {},
  ): Promise<{ registerUser: true } & CodeSent> {
    return this.signUp.sendCode(visitor, client);
  }

  /**
   * Registers a member when the code for the phone is approved. With automatic approval the
   * member is signed in; with manual approval they wait (`sessionToken: null`, status `pending`).
   */
  register(info: RegisterInfo, client: ClientInfo = {}): Promise<RegisterResult> {
    return this.signUp.register(info, client);
  }

  /**
   * Checks email and password and sends a sign-in code to the member's own phone. An unknown
   * email and a wrong password give the same 401 `INVALID_CREDENTIALS` in the same time.
   */
  sendLoginConfirmCode(info: MemberInfo, client: ClientInfo = {}): Promise<LoginCodeSent> {
    return this.signIn.sendCode(info, client);
  }

  /** Checks email, password and the code sent to the member's phone, and signs in. */
  login(info: LoginInfo, client: ClientInfo = {}): Promise<TwoFactorLoginResult> {
    return this.signIn.login(info, client);
  }

  /**
   * Sends a password-reset code to the phone of the member with this email, if there is one;
   * answers the same, and as fast, whether or not the email exists. A `newPassword` given here
   * is checked against the policy first, so that a weak one is refused before a code is sent.
   */
  sendPasswordResetCode(
    info: { email: string; channel: OtpChannel | string; newPassword?: string },
    client: ClientInfo = {},
  ): Promise<{ results: true } & CodeSent> {
    return this.passwords.sendResetCode(info, client);
  }

  /**
   * Sets a new password when the reset code is approved, and revokes every session of the
   * member. An unknown email answers exactly like a wrong code.
   */
  resetPassword(info: ResetPasswordInfo, client: ClientInfo = {}): Promise<{ results: true }> {
    return this.passwords.reset(info, client);
  }

  /** Sends a code to the signed-in member's phone, to confirm a password change. */
  sendPasswordChangeCode(
    memberId: string,
    channel: OtpChannel | string,
    client: ClientInfo = {},
  ): Promise<{ results: true } & CodeSent> {
    return this.passwords.sendChangeCode(memberId, channel, client);
  }

  /**
   * Changes the signed-in member's password (current password + code); every other session of
   * the member is revoked.
   */
  changePassword(
    memberId: string,
    info: ChangePasswordInfo,
    currentSessionId?: string,
    client: ClientInfo = {},
  ): Promise<{ results: true }> {
    return this.passwords.change(memberId, info, currentSessionId, client);
  }
}
