import { Controller, Delete, Get, HttpCode, HttpStatus, Param } from '@nestjs/common';
import { uuidParam } from '../http/uuid-param.pipe.js';
import { ApiOtpErrors } from '../http/api-docs.js';
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
import { TrustedDevicesService, type TrustedDeviceView } from './trusted-devices.service.js';

/** A trusted device as listed to its member. */
export class TrustedDeviceResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
  @ApiProperty({ format: 'date-time' })
  lastUsedAt: string;
  @ApiProperty({ format: 'date-time' })
  expiresAt: string;
  @ApiProperty({ nullable: true, type: String })
  userAgent: string | null;
}

/** The devices the signed-in member trusts. */
@ApiTags('Account')
@ApiBearerAuth()
@ApiOtpErrors(401)
@Controller('account/devices')
@OtpRoutes({ validate: false, guards: [SessionGuard] })
export class TrustedDevicesController {
  constructor(private readonly devices: TrustedDevicesService) {}

  /** The member's trusted devices, newest first. */
  @Get()
  @ApiOperation({ summary: 'The devices that sign in without a code' })
  @ApiOkResponse({ type: TrustedDeviceResponse, isArray: true })
  list(@CurrentMember('id') memberId: string): Promise<TrustedDeviceView[]> {
    return this.devices.list(memberId);
  }

  /** Stops trusting one device. */
  @Delete(':id')
  @ApiOperation({ summary: 'Stop trusting a device' })
  @ApiNoContentResponse()
  @ApiOtpErrors(400, 404)
  @HttpCode(HttpStatus.NO_CONTENT)
  async revoke(
    @CurrentMember('id') memberId: string,
    @Param('id', uuidParam())
    id: string,
  ): Promise<void> {
    await this.devices.revoke(memberId, id);
  }
}
