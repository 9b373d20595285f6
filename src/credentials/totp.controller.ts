import { Body, Controller, Delete, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { IsString, Matches } from 'class-validator';
import {
  RequireRecentVerification,
  SENSITIVE_ACTION_SECONDS,
} from '../sessions/require-recent-verification.decorator.js';
import { ApiOtpErrors, ResultsResponse } from '../http/api-docs.js';
import type { ClientInfo } from '../http/client-info.js';
import { CurrentClient } from '../http/current-client.decorator.js';
import { OtpRoutes } from '../http/otp-routes.decorator.js';
import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '../http/swagger.js';
import { CurrentMember } from '../sessions/current-member.decorator.js';
import { SessionGuard } from '../sessions/session.guard.js';
import { TotpService, type TotpSetup } from './totp.service.js';

/** Body of `POST /auth/account/totp/confirm` and `DELETE /auth/account/totp`. */
export class TotpCodeDto {
  @ApiProperty({ example: '123456', pattern: '^\\d{6}$', description: 'A code from the app' })
  @Matches(/^\d{6}$/, { message: 'code must be 6 digits' })
  @IsString()
  code: string;
}

/** A new authenticator app: its secret and the `otpauth://` URL of its QR code. */
export class TotpSetupResponse {
  @ApiProperty({ example: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', description: 'Base32, shown once' })
  secret: string;
  @ApiProperty({ example: 'otpauth://totp/example.com:alice%40example.com?secret=…&issuer=…' })
  otpauthUrl: string;
}

/** The signed-in member's authenticator app (TOTP). */
@ApiTags('Account')
@ApiBearerAuth()
@ApiOtpErrors(401)
@Controller('account/totp')
@OtpRoutes({ guards: [SessionGuard] })
export class TotpController {
  constructor(private readonly totp: TotpService) {}

  /** Starts setting up an authenticator app; pending until confirmed with a first code. */
  @Post()
  @RequireRecentVerification(SENSITIVE_ACTION_SECONDS)
  @ApiOperation({ summary: 'Set up an authenticator app: a secret and its otpauth:// URL' })
  @ApiOkResponse({ type: TotpSetupResponse })
  @ApiOtpErrors(403, 404, 409)
  @HttpCode(HttpStatus.OK)
  begin(@CurrentMember('id') memberId: string): Promise<TotpSetup> {
    return this.totp.begin(memberId);
  }

  /** Confirms the app with a first code from it. */
  @Post('confirm')
  @ApiOperation({ summary: 'Confirm the authenticator app with a first code from it' })
  @ApiOkResponse({ type: ResultsResponse })
  @ApiOtpErrors(400, 404, 429)
  @HttpCode(HttpStatus.OK)
  async confirm(
    @CurrentMember('id') memberId: string,
    @Body() body: TotpCodeDto,
    @CurrentClient() client: ClientInfo,
  ): Promise<{ results: true }> {
    await this.totp.confirm(memberId, body.code, client);
    return { results: true };
  }

  /** Removes the app, with a code from it. */
  @Delete()
  @RequireRecentVerification(SENSITIVE_ACTION_SECONDS)
  @ApiOperation({ summary: 'Remove the authenticator app, with a code from it' })
  @ApiNoContentResponse()
  @ApiOtpErrors(400, 403, 404, 429)
  @HttpCode(HttpStatus.NO_CONTENT)
  async disable(
    @CurrentMember('id') memberId: string,
    @Body() body: TotpCodeDto,
    @CurrentClient() client: ClientInfo,
  ): Promise<void> {
    await this.totp.disable(memberId, body.code, client);
  }
}
