import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '../common/swagger.js';
import { ApiOtpErrors, ResultsResponse } from '../common/api-docs.js';
import { SessionResponse } from '../sessions/session.responses.js';
import { PendingRegistrationResponse, RegisterUserResponse } from './two-factor.responses.js';
import {
  Body,
  Controller,
  Headers,
  HttpCode,
  HttpStatus,
  Ip,
  Inject,
  Post,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { ResolvedOtpOptions } from '../config/resolved-otp-options.interface.js';
import { RESOLVED_OTP_OPTIONS } from '../otp-internal.constants.js';
import { Public } from '../sessions/public.decorator.js';
import { setSessionCookie } from '../sessions/session-cookie.js';
import type { OtpRequest } from '../sessions/session-request.interface.js';
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
import {
  type RegisterResult,
  TwoFactorService,
  type TwoFactorLoginResult,
} from './two-factor.service.js';
import { OtpRoutes } from '../common/otp-routes.decorator.js';

interface HttpResponse {
  header(name: string, value: string): unknown;
  status(code: number): unknown;
}

/** Two-factor registration: errors carry `registerUser: false`. */
@ApiTags('Two-factor sign-up')
@Public()
@Controller('2fa/register')
@OtpRoutes({ flag: 'registerUser' })
export class TwoFactorRegistrationController {
  constructor(
    private readonly twoFactor: TwoFactorService,
    @Inject(RESOLVED_OTP_OPTIONS) private readonly options: ResolvedOtpOptions,
  ) {}

  /** Sends a registration code to the visitor's phone. */
  @Post('send')
  @ApiOperation({ summary: "Send a registration code to the visitor's phone" })
  @ApiOkResponse({ type: RegisterUserResponse })
  @ApiOtpErrors(400, 409, 422, 429, 500, 503)
  @HttpCode(HttpStatus.OK)
  send(@Body() body: SendRegistrationCodeDto, @Ip() ip: string): Promise<{ registerUser: true }> {
    return this.twoFactor.sendRegConfirmCode(body, { ip });
  }

  /** Registers the member: 201 signed in, or 202 waiting for approval. */
  @Post()
  @ApiOperation({ summary: 'Register with the code: 201 signed in, 202 waiting for approval' })
  @ApiCreatedResponse({ type: SessionResponse })
  @ApiAcceptedResponse({ type: PendingRegistrationResponse })
  @ApiOtpErrors(400, 401, 409, 429, 500, 503)
  async register(
    @Body() body: RegisterDto,
    @Headers('user-agent') userAgent: string | undefined,
    @Ip() ip: string,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<RegisterResult> {
    const result = await this.twoFactor.register(body, { userAgent, ip });
    if (result.sessionToken === null) {
      response.status(HttpStatus.ACCEPTED);
    } else {
      const { cookie, ttlMs } = this.options.session;
      if (cookie) setSessionCookie(response, cookie, result.sessionToken, ttlMs);
    }
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
  @ApiOperation({ summary: "Check email and password, then send a code to the member's phone" })
  @ApiOkResponse({ type: ResultsResponse })
  @ApiOtpErrors(400, 401, 403, 422, 429, 500, 503)
  @HttpCode(HttpStatus.OK)
  sendLoginCode(
    @Body() body: SendTwoFactorLoginCodeDto,
    @Ip() ip: string,
  ): Promise<{ results: true }> {
    return this.twoFactor.sendLoginConfirmCode(body, { ip });
  }

  /** Signs in with email, password and code. */
  @Public()
  @Post('login')
  @ApiOperation({ summary: 'Sign in with email, password and code' })
  @ApiOkResponse({ type: SessionResponse })
  @ApiOtpErrors(400, 401, 403, 429, 500, 503)
  @HttpCode(HttpStatus.OK)
  async login(
    @Body() body: TwoFactorLoginDto,
    @Headers('user-agent') userAgent: string | undefined,
    @Ip() ip: string,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<TwoFactorLoginResult> {
    const result = await this.twoFactor.login(body, { userAgent, ip });
    const { cookie, ttlMs } = this.options.session;
    if (cookie) setSessionCookie(response, cookie, result.sessionToken, ttlMs);
    return result;
  }

  /** Sends a password-reset code; the answer is the same whether or not the email exists. */
  @Public()
  @Post('password/send')
  @ApiOperation({
    summary: 'Send a password-reset code (same answer whether or not the email exists)',
  })
  @ApiOkResponse({ type: ResultsResponse })
  @ApiOtpErrors(400, 429)
  @HttpCode(HttpStatus.OK)
  sendResetCode(
    @Body() body: SendPasswordResetCodeDto,
    @Ip() ip: string,
  ): Promise<{ results: true }> {
    return this.twoFactor.sendPasswordResetCode(body, { ip });
  }

  /** Sets a new password with the reset code; every session of the member is revoked. */
  @Public()
  @Post('password/reset')
  @ApiOperation({ summary: 'Set a new password with the reset code; every session is revoked' })
  @ApiOkResponse({ type: ResultsResponse })
  @ApiOtpErrors(400, 401, 429, 500, 503)
  @HttpCode(HttpStatus.OK)
  reset(@Body() body: ResetPasswordDto, @Ip() ip: string): Promise<{ results: true }> {
    return this.twoFactor.resetPassword(body, { ip });
  }

  /** Sends a code to the signed-in member's phone to confirm a password change. */
  @UseGuards(SessionGuard)
  @Post('password/change/send')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Send a code to confirm a password change' })
  @ApiOkResponse({ type: ResultsResponse })
  @ApiOtpErrors(400, 401, 403, 422, 429, 500, 503)
  @HttpCode(HttpStatus.OK)
  sendChangeCode(
    @Req() request: OtpRequest,
    @Body() body: SendPasswordChangeCodeDto,
    @Ip() ip: string,
  ): Promise<{ results: true }> {
    return this.twoFactor.sendPasswordChangeCode(request.user!.id, body.channel, { ip });
  }

  /** Changes the password (current password + code); other sessions are revoked. */
  @UseGuards(SessionGuard)
  @Post('password/change')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Change the password (current password + code); other sessions are revoked',
  })
  @ApiOkResponse({ type: ResultsResponse })
  @ApiOtpErrors(400, 401, 403, 429, 500, 503)
  @HttpCode(HttpStatus.OK)
  change(
    @Req() request: OtpRequest,
    @Body() body: ChangePasswordDto,
    @Ip() ip: string,
  ): Promise<{ results: true }> {
    return this.twoFactor.changePassword(request.user!.id, body, request.otpSessionId, { ip });
  }
}
