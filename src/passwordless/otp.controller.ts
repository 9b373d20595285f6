import { ApiOkResponse, ApiOperation, ApiTags } from '../common/swagger.js';
import { ApiOtpErrors, ResultsResponse } from '../common/api-docs.js';
import { PhoneLoginResponse } from './phone-login.response.js';
import {
  Body,
  Controller,
  Headers,
  HttpCode,
  HttpStatus,
  Ip,
  Inject,
  Post,
  Res,
} from '@nestjs/common';
import type { ResolvedOtpOptions } from '../config/resolved-otp-options.interface.js';
import { RESOLVED_OTP_OPTIONS } from '../otp-internal.constants.js';
import { Public } from '../sessions/public.decorator.js';
import { setSessionCookie } from '../sessions/session-cookie.js';
import { PhoneLoginDto } from './dto/phone-login.dto.js';
import { SendLoginCodeDto } from './dto/send-login-code.dto.js';
import { OtpService, type PhoneLoginResult } from './otp.service.js';
import { OtpRoutes } from '../common/otp-routes.decorator.js';

/** Passwordless sign-in routes. */
@ApiTags('Passwordless sign-in')
@Public()
@Controller('otp')
@OtpRoutes()
export class OtpController {
  constructor(
    private readonly otp: OtpService,
    @Inject(RESOLVED_OTP_OPTIONS) private readonly options: ResolvedOtpOptions,
  ) {}

  /** Sends a sign-in code by SMS or call. */
  @Post('send')
  @ApiOperation({ summary: 'Send a sign-in code by SMS or voice call' })
  @ApiOkResponse({ type: ResultsResponse })
  @ApiOtpErrors(400, 422, 429, 500, 503)
  @HttpCode(HttpStatus.OK)
  send(@Body() body: SendLoginCodeDto, @Ip() ip: string): Promise<{ results: true }> {
    return this.otp.sendLoginConfirmCode(body.channel, body.countryCode, body.phoneNumber, { ip });
  }

  /** Checks the code and signs in, creating the member on first sign-in. */
  @Post('login')
  @ApiOperation({ summary: 'Sign in with the code; the first sign-in creates the member' })
  @ApiOkResponse({ type: PhoneLoginResponse })
  @ApiOtpErrors(400, 401, 403, 429, 500, 503)
  @HttpCode(HttpStatus.OK)
  async login(
    @Body() body: PhoneLoginDto,
    @Headers('user-agent') userAgent: string | undefined,
    @Ip() ip: string,
    @Res({ passthrough: true }) response: { header(name: string, value: string): unknown },
  ): Promise<PhoneLoginResult> {
    const result = await this.otp.login(body.confirmationCode, body.countryCode, body.phoneNumber, {
      userAgent,
      ip,
    });
    const { cookie, ttlMs } = this.options.session;
    if (cookie) setSessionCookie(response, cookie, result.sessionToken, ttlMs);
    return result;
  }
}
