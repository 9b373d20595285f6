import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { ApiOtpErrors } from '../../http/api-docs.js';
import type { ClientInfo } from '../../http/client-info.js';
import { CurrentClient } from '../../http/current-client.decorator.js';
import { OtpRoutes } from '../../http/otp-routes.decorator.js';
import { Public } from '../../http/public.decorator.js';
import { ApiOkResponse, ApiOperation, ApiTags } from '../../http/swagger.js';
import { SessionCookie } from '../../sessions/session-cookie.interceptor.js';
import { PasskeyLoginDto } from './dto/passkey.dto.js';
import { type PasskeySignInResult, PasskeySignInService } from './passkey-sign-in.service.js';
import { PasskeyLoginResponse, PasskeyOptionsResponse } from './passkey.responses.js';

/** Signing in with a passkey: no code, no Twilio call. */
@ApiTags('Passkey sign-in')
@Public()
@Controller('passkey')
@OtpRoutes()
export class PasskeyLoginController {
  constructor(private readonly signIn: PasskeySignInService) {}

  /** WebAuthn options for a sign-in (discoverable: no credential listed). */
  @Post('options')
  @ApiOperation({ summary: 'Options to sign in with a passkey (WebAuthn authentication options)' })
  @ApiOkResponse({ type: PasskeyOptionsResponse })
  @ApiOtpErrors(404, 429)
  @HttpCode(HttpStatus.OK)
  options(@CurrentClient() client: ClientInfo): Promise<PublicKeyCredentialRequestOptionsJSON> {
    return this.signIn.options(client);
  }

  /** Signs in with the browser's authentication response. */
  @Post('login')
  @ApiOperation({ summary: 'Sign in with a passkey' })
  @ApiOkResponse({ type: PasskeyLoginResponse })
  @ApiOtpErrors(400, 401, 403, 404, 429)
  @HttpCode(HttpStatus.OK)
  @SessionCookie('set')
  login(
    @Body() body: PasskeyLoginDto,
    @CurrentClient() client: ClientInfo,
  ): Promise<PasskeySignInResult> {
    return this.signIn.signIn(body.response, client);
  }
}
