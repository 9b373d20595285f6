import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOtpErrors, CodeSentResponse } from '../http/api-docs.js';
import type { ClientInfo } from '../http/client-info.js';
import { CurrentClient } from '../http/current-client.decorator.js';
import { OtpRoutes } from '../http/otp-routes.decorator.js';
import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '../http/swagger.js';
import type { MemberView } from '../members/member.entity.js';
import type { CodeSent } from '../verification/verification.service.js';
import { MemberResponse } from '../members/member.response.js';
import { CurrentMember } from '../sessions/current-member.decorator.js';
import { CurrentSessionId } from '../sessions/current-session-id.decorator.js';
import { SessionCookie } from '../sessions/session-cookie.interceptor.js';
import { SessionGuard } from '../sessions/session.guard.js';
import {
  RecoveryCodesResponse,
  RecoveryCodesStatusResponse,
} from '../credentials/recovery-codes.responses.js';
import { SessionVerifiedResponse } from './account.responses.js';
import { AccountService } from './account.service.js';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { PasskeyOptionsResponse } from '../credentials/passkeys/passkey.responses.js';
import { OtpException } from '../errors/otp.exception.js';
import { OtpErrorCode } from '../errors/otp-error-code.js';
import {
  ChangeEmailDto,
  ChangePhoneDto,
  ConfirmationCodeDto,
  SendAccountCodeDto,
  SessionVerifyDto,
  SendPhoneChangeCodeDto,
} from './dto/account.dto.js';
import {
  RecoveryCodesService,
  type RecoveryCodesStatus,
} from '../credentials/recovery-codes.service.js';
import {
  RequireRecentVerification,
  SENSITIVE_ACTION_SECONDS,
} from '../sessions/require-recent-verification.decorator.js';
import {
  SessionVerificationService,
  type SessionVerified,
} from './session-verification.service.js';

/**
 * The signed-in member's own account. Every change asks for a code checked in the last 5 minutes
 * (a sign-in, or `session/verify`): a stolen session token alone changes nothing.
 */
@ApiTags('Account')
@ApiBearerAuth()
@ApiOtpErrors(401)
@Controller('account')
@OtpRoutes({ guards: [SessionGuard] })
export class AccountController {
  constructor(
    private readonly account: AccountService,
    private readonly recoveryCodes: RecoveryCodesService,
  ) {}

  /** Sends a code to a new phone number. */
  @Post('phone/send')
  @RequireRecentVerification(SENSITIVE_ACTION_SECONDS, { recoverySignIn: true })
  @ApiOperation({ summary: 'Send a code to a new phone number' })
  @ApiOkResponse({ type: CodeSentResponse })
  @ApiOtpErrors(400, 403, 409, 422, 429, 500, 503)
  @HttpCode(HttpStatus.OK)
  sendPhoneCode(
    @CurrentMember('id') memberId: string,
    @Body() body: SendPhoneChangeCodeDto,
    @CurrentClient() client: ClientInfo,
  ): Promise<{ results: true } & CodeSent> {
    return this.account.sendPhoneChangeCode(memberId, body, client);
  }

  /** Makes the new number the member's phone; other sessions are revoked. */
  @Post('phone')
  @RequireRecentVerification(SENSITIVE_ACTION_SECONDS, { recoverySignIn: true })
  @ApiOperation({
    summary: 'Set a new phone with the code sent to it (and the password, if the member has one)',
  })
  @ApiOkResponse({ type: MemberResponse })
  @ApiOtpErrors(400, 403, 409, 429, 500, 503)
  @HttpCode(HttpStatus.OK)
  changePhone(
    @CurrentMember('id') memberId: string,
    @CurrentSessionId() sessionId: string | undefined,
    @Body() body: ChangePhoneDto,
    @CurrentClient() client: ClientInfo,
  ): Promise<MemberView> {
    return this.account.changePhone(memberId, body, sessionId, client);
  }

  /** Sends a code to the member's phone to confirm a new email. */
  @Post('email/send')
  @RequireRecentVerification(SENSITIVE_ACTION_SECONDS)
  @ApiOperation({ summary: "Send a code to the member's phone to confirm a new email" })
  @ApiOkResponse({ type: CodeSentResponse })
  @ApiOtpErrors(400, 403, 422, 429, 500, 503)
  @HttpCode(HttpStatus.OK)
  sendEmailCode(
    @CurrentMember('id') memberId: string,
    @Body() body: SendAccountCodeDto,
    @CurrentClient() client: ClientInfo,
  ): Promise<{ results: true } & CodeSent> {
    return this.account.sendEmailChangeCode(memberId, body.channel, client);
  }

  /** Sets a new email (current password + code); other sessions are revoked. */
  @Post('email')
  @RequireRecentVerification(SENSITIVE_ACTION_SECONDS)
  @ApiOperation({ summary: 'Set a new email with the current password and the code' })
  @ApiOkResponse({ type: MemberResponse })
  @ApiOtpErrors(400, 403, 409, 429, 500, 503)
  @HttpCode(HttpStatus.OK)
  changeEmail(
    @CurrentMember('id') memberId: string,
    @CurrentSessionId() sessionId: string | undefined,
    @Body() body: ChangeEmailDto,
    @CurrentClient() client: ClientInfo,
  ): Promise<MemberView> {
    return this.account.changeEmail(memberId, body, sessionId, client);
  }

  /** Makes ten new recovery codes, replacing any earlier set; shown this once. */
  @Post('recovery-codes')
  @RequireRecentVerification(SENSITIVE_ACTION_SECONDS)
  @ApiOperation({
    summary: 'Make ten recovery codes (shown once); needs a code checked in the last 5 minutes',
  })
  @ApiOkResponse({ type: RecoveryCodesResponse })
  @ApiOtpErrors(403)
  @HttpCode(HttpStatus.OK)
  createRecoveryCodes(@CurrentMember('id') memberId: string): Promise<{ codes: string[] }> {
    return this.recoveryCodes.generate(memberId);
  }

  /** How many recovery codes are left. */
  @Get('recovery-codes')
  @ApiOperation({ summary: 'How many recovery codes are left, and when they were made' })
  @ApiOkResponse({ type: RecoveryCodesStatusResponse })
  recoveryCodesStatus(@CurrentMember('id') memberId: string): Promise<RecoveryCodesStatus> {
    return this.recoveryCodes.status(memberId);
  }

  /** Sends a code to the member's phone to confirm deleting the account. */
  @Post('delete/send')
  @RequireRecentVerification(SENSITIVE_ACTION_SECONDS)
  @ApiOperation({ summary: "Send a code to the member's phone to confirm deleting the account" })
  @ApiOkResponse({ type: CodeSentResponse })
  @ApiOtpErrors(400, 422, 429, 500, 503)
  @HttpCode(HttpStatus.OK)
  sendDeletionCode(
    @CurrentMember('id') memberId: string,
    @Body() body: SendAccountCodeDto,
    @CurrentClient() client: ClientInfo,
  ): Promise<{ results: true } & CodeSent> {
    return this.account.sendDeletionCode(memberId, body.channel, client);
  }

  /** Erases the account: the member, their sessions and recovery codes. */
  @Delete()
  @RequireRecentVerification(SENSITIVE_ACTION_SECONDS)
  @ApiOperation({ summary: 'Delete the account with the code: member, sessions, recovery codes' })
  @ApiNoContentResponse()
  @ApiOtpErrors(400, 429, 500, 503)
  @HttpCode(HttpStatus.NO_CONTENT)
  @SessionCookie('clear')
  async deleteAccount(
    @CurrentMember('id') memberId: string,
    @Body() body: ConfirmationCodeDto,
    @CurrentClient() client: ClientInfo,
  ): Promise<void> {
    await this.account.deleteAccount(memberId, body.confirmationCode, client);
  }
}

/** Re-verifying the signed-in session with a new code (for `@RequireRecentVerification()`). */
@ApiTags('Account')
@ApiBearerAuth()
@ApiOtpErrors(401)
@Controller('session/verify')
@OtpRoutes({ guards: [SessionGuard] })
export class SessionVerificationController {
  constructor(private readonly verification: SessionVerificationService) {}

  /** Sends a code to the member's phone. */
  @Post('send')
  @ApiOperation({ summary: "Send a code to the member's phone to re-verify this session" })
  @ApiOkResponse({ type: CodeSentResponse })
  @ApiOtpErrors(400, 422, 429, 500, 503)
  @HttpCode(HttpStatus.OK)
  send(
    @CurrentMember('id') memberId: string,
    @Body() body: SendAccountCodeDto,
    @CurrentClient() client: ClientInfo,
  ): Promise<{ results: true } & (CodeSent | { channel: 'totp' })> {
    return this.verification.sendCode(memberId, body.channel, client);
  }

  /**
   * Checks the code (or the passkey's answer); the session counts as verified now, with a new
   * token (and cookie): the old token is ended on every instance.
   */
  @Post()
  @ApiOperation({
    summary: 'Re-verify this session with a code or a passkey; answers its new token',
  })
  @ApiOkResponse({ type: SessionVerifiedResponse })
  @ApiOtpErrors(400, 429, 500, 503)
  @HttpCode(HttpStatus.OK)
  @SessionCookie('set')
  verify(
    @CurrentMember('id') memberId: string,
    @CurrentSessionId() sessionId: string,
    @Body() body: SessionVerifyDto,
    @CurrentClient() client: ClientInfo,
  ): Promise<SessionVerified> {
    if ((body.confirmationCode === undefined) === (body.passkeyResponse === undefined)) {
      throw new OtpException(OtpErrorCode.VALIDATION_FAILED, {
        message: 'Give either confirmationCode or passkeyResponse',
      });
    }
    return body.passkeyResponse !== undefined
      ? this.verification.verifyPasskey(memberId, sessionId, body.passkeyResponse)
      : this.verification.verify(memberId, sessionId, body.confirmationCode!, client);
  }

  /** WebAuthn options to re-verify with one of the member's passkeys. */
  @Post('passkey/options')
  @ApiOperation({ summary: 'Options to re-verify this session with a passkey' })
  @ApiOkResponse({ type: PasskeyOptionsResponse })
  @ApiOtpErrors(404)
  @HttpCode(HttpStatus.OK)
  passkeyOptions(
    @CurrentMember('id') memberId: string,
    @CurrentSessionId() sessionId: string,
  ): Promise<PublicKeyCredentialRequestOptionsJSON> {
    return this.verification.passkeyOptions(memberId, sessionId);
  }
}
