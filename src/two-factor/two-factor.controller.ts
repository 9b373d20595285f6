import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '../http/swagger.js';
import {
  ApiOtpErrors,
  CodeSentResponse,
  RegistrationCodeSentResponse,
  ResultsResponse,
} from '../http/api-docs.js';
import { LoginCodeSentResponse, TwoFactorLoginResponse } from './two-factor.responses.js';
import {
  RequireRecentVerification,
  SENSITIVE_ACTION_SECONDS,
} from '../sessions/require-recent-verification.decorator.js';
import { SessionResponse } from '../sessions/session.responses.js';
import { PendingRegistrationResponse } from './two-factor.responses.js';
import {
  Body,
  Controller,
  Headers,
  HttpCode,
  HttpStatus,
  Inject,
  Post,
  Res,
  UseGuards,
} from '@nestjs/common';
import { deviceTokenFromCookie, setDeviceCookie } from '../credentials/device-cookie.js';
import type { ResolvedOtpOptions } from '../config/resolved-otp-options.interface.js';
import { RESOLVED_OTP_OPTIONS } from '../otp-internal.constants.js';
import type { HeaderResponse } from '../sessions/session-cookie.js';
import type { ClientInfo } from '../http/client-info.js';
import { CurrentClient } from '../http/current-client.decorator.js';
import { CurrentMember } from '../sessions/current-member.decorator.js';
import { CurrentSessionId } from '../sessions/current-session-id.decorator.js';
import { Public } from '../http/public.decorator.js';
import { SessionCookie } from '../sessions/session-cookie.interceptor.js';
import { SessionGuard } from '../sessions/session.guard.js';
import {
  ChangePasswordDto,
  RegisterDto,
  ResetPasswordDto,
  SendPasswordChangeCodeDto,
  SendPasswordResetCodeDto,
  SendRegistrationCodeDto,
  SendTwoFactorLoginCodeDto,
  TwoFactorLoginDto,
} from './dto/two-factor.dto.js';
import { TwoFactorService } from './two-factor.service.js';
import type { LoginCodeSent, RegisterResult, TwoFactorLoginResult } from './two-factor.types.js';
import { OtpRoutes } from '../http/otp-routes.decorator.js';
import type { CodeSent } from '../verification/verification.service.js';

/** Express and Fastify responses alike. */
interface HttpResponse {
  status(code: number): unknown;
}

/** Two-factor registration: errors carry `registerUser: false`. */
@ApiTags('Two-factor sign-up')
@Public()
@Controller('2fa/register')
@OtpRoutes({ flag: 'registerUser' })
export class TwoFactorRegistrationController {
  constructor(private readonly twoFactor: TwoFactorService) {}

  /** Sends a registration code to the visitor's phone. */
  @Post('send')
  @ApiOperation({ summary: "Send a registration code to the visitor's phone" })
  @ApiOkResponse({ type: RegistrationCodeSentResponse })
  @ApiOtpErrors(400, 409, 422, 429, 500, 503)
  @HttpCode(HttpStatus.OK)
  send(
    @Body() body: SendRegistrationCodeDto,
    @CurrentClient() client: ClientInfo,
  ): Promise<{ registerUser: true } & CodeSent> {
    return this.twoFactor.sendRegConfirmCode(body, client);
  }

  /** Registers the member: 201 signed in, or 202 waiting for approval. */
  @Post()
  @ApiOperation({ summary: 'Register with the code: 201 signed in, 202 waiting for approval' })
  @ApiCreatedResponse({ type: SessionResponse })
  @ApiAcceptedResponse({ type: PendingRegistrationResponse })
  @ApiOtpErrors(400, 401, 409, 429, 500, 503)
  @SessionCookie('set')
  async register(
    @Body() body: RegisterDto,
    @CurrentClient() client: ClientInfo,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<RegisterResult> {
    const result = await this.twoFactor.register(body, client);
    if (result.sessionToken === null) response.status(HttpStatus.ACCEPTED);
    return result;
  }
}

/** Two-factor sign-in and passwords. */
@ApiTags('Two-factor sign-in')
@Controller('2fa')
@OtpRoutes()
export class TwoFactorController {
  constructor(
    private readonly twoFactor: TwoFactorService,
    @Inject(RESOLVED_OTP_OPTIONS) private readonly options: ResolvedOtpOptions,
  ) {}

  /** Checks email and password, then sends a code to the member's phone. */
  @Public()
  @Post('login/send')
  @ApiOperation({
    summary:
      "Check email and password, then send a code to the member's phone (nothing for channel totp)",
  })
  @ApiOkResponse({ type: LoginCodeSentResponse })
  @ApiOtpErrors(400, 401, 403, 422, 429, 500, 503)
  @HttpCode(HttpStatus.OK)
  sendLoginCode(
    @Body() body: SendTwoFactorLoginCodeDto,
    @CurrentClient() client: ClientInfo,
    @Headers('cookie') cookies: string | undefined,
  ): Promise<LoginCodeSent> {
    const deviceToken = body.deviceToken ?? deviceTokenFromCookie(cookies, this.options);
    return this.twoFactor.sendLoginConfirmCode({ ...body, deviceToken }, client);
  }

  /** Signs in with email, password and code. */
  @Public()
  @Post('login')
  @ApiOperation({
    summary:
      'Sign in with email, password and a code (or a recovery code, or none from a trusted device)',
  })
  @ApiOkResponse({ type: TwoFactorLoginResponse })
  @ApiOtpErrors(400, 401, 403, 429, 500, 503)
  @HttpCode(HttpStatus.OK)
  @SessionCookie('set')
  async login(
    @Body() body: TwoFactorLoginDto,
    @CurrentClient() client: ClientInfo,
    @Headers('cookie') cookies: string | undefined,
    @Res({ passthrough: true }) response: HeaderResponse,
  ): Promise<TwoFactorLoginResult> {
    const deviceToken = body.deviceToken ?? deviceTokenFromCookie(cookies, this.options);
    const result = await this.twoFactor.login({ ...body, deviceToken }, client);
    if (result.deviceToken) setDeviceCookie(response, this.options, result.deviceToken);
    return result;
  }

  /** Sends a password-reset code; the answer is the same whether or not the email exists. */
  @Public()
  @Post('password/send')
  @ApiOperation({
    summary: 'Send a password-reset code (same answer whether or not the email exists)',
  })
  @ApiOkResponse({ type: CodeSentResponse })
  @ApiOtpErrors(400, 429)
  @HttpCode(HttpStatus.OK)
  sendResetCode(
    @Body() body: SendPasswordResetCodeDto,
    @CurrentClient() client: ClientInfo,
  ): Promise<{ results: true } & CodeSent> {
    return this.twoFactor.sendPasswordResetCode(body, client);
  }

  /** Sets a new password with the reset code; every session of the member is revoked. */
  @Public()
  @Post('password/reset')
  @ApiOperation({ summary: 'Set a new password with the reset code; every session is revoked' })
  @ApiOkResponse({ type: ResultsResponse })
  @ApiOtpErrors(400, 401, 429, 500, 503)
  @HttpCode(HttpStatus.OK)
  reset(
    @Body() body: ResetPasswordDto,
    @CurrentClient() client: ClientInfo,
  ): Promise<{ results: true }> {
    return this.twoFactor.resetPassword(body, client);
  }

  /** Sends a code to the signed-in member's phone to confirm a password change. */
  @UseGuards(SessionGuard)
  @Post('password/change/send')
  @RequireRecentVerification(SENSITIVE_ACTION_SECONDS)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Send a code to confirm a password change' })
  @ApiOkResponse({ type: CodeSentResponse })
  @ApiOtpErrors(400, 401, 403, 422, 429, 500, 503)
  @HttpCode(HttpStatus.OK)
  sendChangeCode(
    @CurrentMember('id') memberId: string,
    @Body() body: SendPasswordChangeCodeDto,
    @CurrentClient() client: ClientInfo,
  ): Promise<{ results: true } & CodeSent> {
    return this.twoFactor.sendPasswordChangeCode(memberId, body.channel, client);
  }

  /** Changes the password (current password + code); other sessions are revoked. */
  @UseGuards(SessionGuard)
  @Post('password/change')
  @RequireRecentVerification(SENSITIVE_ACTION_SECONDS)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Change the password (current password + code); other sessions are revoked',
  })
  @ApiOkResponse({ type: ResultsResponse })
  @ApiOtpErrors(400, 401, 403, 429, 500, 503)
  @HttpCode(HttpStatus.OK)
  change(
    @CurrentMember('id') memberId: string,
    @CurrentSessionId() sessionId: string | undefined,
    @Body() body: ChangePasswordDto,
    @CurrentClient() client: ClientInfo,
  ): Promise<{ results: true }> {
    return this.twoFactor.changePassword(memberId, body, sessionId, client);
  }
}
