import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOtpErrors } from '../http/api-docs.js';
import type { ClientInfo } from '../http/client-info.js';
import { CurrentClient } from '../http/current-client.decorator.js';
import { OtpRoutes } from '../http/otp-routes.decorator.js';
import { ApiOkResponse, ApiOperation, ApiTags } from '../http/swagger.js';
import { Public } from '../http/public.decorator.js';
import { SessionCookie } from '../sessions/session-cookie.interceptor.js';
import { RecoverDto } from './dto/recover.dto.js';
import { RecoveredPhoneLoginResponse } from './recovery.responses.js';
import {
  RecoverySignInService,
  type RecoverySignInResult,
} from '../credentials/recovery-sign-in.service.js';

/** Passwordless sign-in with a recovery code, when the phone is out of reach. */
@ApiTags('Passwordless sign-in')
@Public()
@Controller('otp')
@OtpRoutes()
export class RecoveryController {
  constructor(private readonly recovery: RecoverySignInService) {}

  /** Signs in with a recovery code instead of a code sent to the phone. */
  @Post('recover')
  @ApiOperation({ summary: 'Sign in with a recovery code instead of a code sent to the phone' })
  @ApiOkResponse({ type: RecoveredPhoneLoginResponse })
  @ApiOtpErrors(400, 401, 403, 429)
  @HttpCode(HttpStatus.OK)
  @SessionCookie('set')
  recover(
    @Body() body: RecoverDto,
    @CurrentClient() client: ClientInfo,
  ): Promise<RecoverySignInResult & { results: true; isNewMember: false }> {
    return this.recovery.passwordless(
      body.countryCode,
      body.phoneNumber,
      body.recoveryCode,
      client,
    );
  }
}
