import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Patch,
  Post,
} from '@nestjs/common';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { ApiOtpErrors } from '../../http/api-docs.js';
import { OtpRoutes } from '../../http/otp-routes.decorator.js';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '../../http/swagger.js';
import { uuidParam } from '../../http/uuid-param.pipe.js';
import { CurrentMember } from '../../sessions/current-member.decorator.js';
import { CurrentSessionId } from '../../sessions/current-session-id.decorator.js';
import {
  RequireRecentVerification,
  SENSITIVE_ACTION_SECONDS,
} from '../../sessions/require-recent-verification.decorator.js';
import { SessionGuard } from '../../sessions/session.guard.js';
import { RegisterPasskeyDto, RenamePasskeyDto } from './dto/passkey.dto.js';
import { PasskeyOptionsResponse, PasskeyResponse } from './passkey.responses.js';
import { type PasskeyView, PasskeysService } from './passkeys.service.js';

/** The signed-in member's passkeys. Adding and removing one needs a recent proof. */
@ApiTags('Account')
@ApiBearerAuth()
@ApiOtpErrors(401)
@Controller('account/passkeys')
@OtpRoutes({ guards: [SessionGuard] })
export class PasskeysController {
  constructor(private readonly passkeys: PasskeysService) {}

  /** WebAuthn options for a new passkey (the browser's `startRegistration()`). */
  @Post('options')
  @RequireRecentVerification(SENSITIVE_ACTION_SECONDS)
  @ApiOperation({ summary: 'Options to add a passkey (WebAuthn registration options)' })
  @ApiOkResponse({ type: PasskeyOptionsResponse })
  @ApiOtpErrors(400, 403, 404)
  @HttpCode(HttpStatus.OK)
  options(
    @CurrentMember('id') memberId: string,
    @CurrentSessionId() sessionId: string,
  ): Promise<PublicKeyCredentialCreationOptionsJSON> {
    return this.passkeys.registrationOptions(memberId, sessionId);
  }

  /** Adds the passkey the browser made. */
  @Post()
  @RequireRecentVerification(SENSITIVE_ACTION_SECONDS)
  @ApiOperation({ summary: 'Add a passkey with the browser’s registration response' })
  @ApiCreatedResponse({ type: PasskeyResponse })
  @ApiOtpErrors(400, 403, 404, 409)
  @HttpCode(HttpStatus.CREATED)
  add(
    @CurrentMember('id') memberId: string,
    @CurrentSessionId() sessionId: string,
    @Body() body: RegisterPasskeyDto,
  ): Promise<PasskeyView> {
    return this.passkeys.register(memberId, sessionId, body.response, body.name);
  }

  /** The member's passkeys. */
  @Get()
  @ApiOperation({ summary: "The member's passkeys" })
  @ApiOkResponse({ type: PasskeyResponse, isArray: true })
  @ApiOtpErrors(404)
  list(@CurrentMember('id') memberId: string): Promise<PasskeyView[]> {
    return this.passkeys.list(memberId);
  }

  /** Renames a passkey. */
  @Patch(':id')
  @ApiOperation({ summary: 'Rename a passkey' })
  @ApiOkResponse({ type: PasskeyResponse })
  @ApiOtpErrors(400, 404)
  rename(
    @CurrentMember('id') memberId: string,
    @Param('id', uuidParam()) id: string,
    @Body() body: RenamePasskeyDto,
  ): Promise<PasskeyView> {
    return this.passkeys.rename(memberId, id, body.name);
  }

  /** Removes a passkey. */
  @Delete(':id')
  @RequireRecentVerification(SENSITIVE_ACTION_SECONDS)
  @ApiOperation({ summary: 'Remove a passkey' })
  @ApiNoContentResponse()
  @ApiOtpErrors(400, 403, 404)
  @HttpCode(HttpStatus.NO_CONTENT)
  async remove(
    @CurrentMember('id') memberId: string,
    @Param('id', uuidParam()) id: string,
  ): Promise<void> {
    await this.passkeys.remove(memberId, id);
  }
}
