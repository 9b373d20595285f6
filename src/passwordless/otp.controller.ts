import type { ClientInfo } from '../http/client-info.js';
import type { CodeSent } from '../verification/verification.service.js';
import { ApiOkResponse, ApiOperation, ApiTags } from '../http/swagger.js';
import { ApiOtpErrors, CodeSentResponse } from '../http/api-docs.js';
import { PhoneLoginResponse } from './phone-login.response.js';
import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { CurrentClient } from '../http/current-client.decorator.js';
import { Public } from '../http/public.decorator.js';
import { SessionCookie } from '../sessions/session-cookie.interceptor.js';
import { PhoneLoginDto } from './dto/phone-login.dto.js';
import { SendLoginCodeDto } from './dto/send-login-code.dto.js';
import { OtpService, type PhoneLoginResult } from './otp.service.js';
import { OtpRoutes } from '../http/otp-routes.decorator.js';

/** Passwordless sign-in routes. */
@ApiTags('Passwordless sign-in')
@Public()
@Controller('otp')
@OtpRoutes()
export class OtpController {
  constructor(private readonly otp: OtpService) {}

  /** Sends a sign-in code by SMS, voice call or WhatsApp. */
  @Post('send')
  @ApiOperation({ summary: 'Send a sign-in code by SMS, voice call or WhatsApp' })
  @ApiOkResponse({ type: CodeSentResponse })
  @ApiOtpErrors(400, 422, 429, 500, 503)
  @HttpCode(HttpStatus.OK)
  send(
    @Body() body: SendLoginCodeDto,
    @CurrentClient() client: ClientInfo,
  ): Promise<{ results: true } & CodeSent> {
    return this.otp.sendLoginConfirmCode(body.channel, body.countryCode, body.phoneNumber, client);
  }

  /** Checks the code and signs in, creating the member on first sign-in. */
  @Post('login')
  @ApiOperation({ summary: 'Sign in with the code; the first sign-in creates the member' })
  @ApiOkResponse({ type: PhoneLoginResponse })
  @ApiOtpErrors(400, 401, 403, 429, 500, 503)
  @HttpCode(HttpStatus.OK)
  @SessionCookie('set')
  login(
    @Body() body: PhoneLoginDto,
    @CurrentClient() client: ClientInfo,
  ): Promise<PhoneLoginResult> {
    return this.otp.login(body.confirmationCode, body.countryCode, body.phoneNumber, client);
  }
}
