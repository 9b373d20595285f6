import { Controller, Get, UseFilters, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCookieAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CurrentMember, OtpExceptionFilter, SessionGuard, TotpService } from 'nestjs-otp';

/** OpenAPI shape of the authenticator-app status. */
class AuthenticatorStatus {
  @ApiProperty({ description: 'Authenticator apps are on (the totp option)' })
  available: boolean;
  @ApiProperty({ description: 'The signed-in member has a confirmed authenticator app' })
  enabled: boolean;
}

/**
 * Whether the signed-in member has an authenticator app, for the page's account view: a host's
 * own route built on the module's `TotpService`.
 */
@ApiTags('Sample')
@ApiCookieAuth('otp_session')
@ApiBearerAuth()
@Controller('api/authenticator')
@UseGuards(SessionGuard)
@UseFilters(OtpExceptionFilter)
export class AuthenticatorStatusController {
  constructor(private readonly totp: TotpService) {}

  @Get()
  @ApiOperation({ summary: 'Whether the signed-in member has an authenticator app' })
  @ApiOkResponse({ type: AuthenticatorStatus })
  @ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED: no valid session' })
  async get(@CurrentMember('id') memberId: string): Promise<AuthenticatorStatus> {
    return { available: this.totp.available, enabled: await this.totp.isEnabled(memberId) };
  }
}
