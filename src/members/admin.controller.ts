import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '../common/swagger.js';
import { ApiOtpErrors } from '../common/api-docs.js';
import { MemberResponse } from './member.response.js';
import {
  type CanActivate,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Injectable,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  type Type,
} from '@nestjs/common';
import { OtpException } from '../common/otp.exception.js';
import { OtpErrorCode } from '../common/otp-error-code.js';
import type { MemberStatus, MemberView } from './member.entity.js';
import { MembersService } from './members.service.js';
import { OtpRoutes } from '../common/otp-routes.decorator.js';

const STATUSES: readonly MemberStatus[] = ['pending', 'approved', 'blocked'];
const uuid = () =>
  new ParseUUIDPipe({
    exceptionFactory: () =>
      new OtpException(OtpErrorCode.VALIDATION_FAILED, { message: 'id must be a UUID' }),
  });

/** Admin routes; mounted behind the host's `admin.guard` only. */
@Injectable()
abstract class AdminMembersController {
  constructor(private readonly members: MembersService) {}

  /** Members with a status (default `pending`), oldest first. */
  @Get()
  @ApiOperation({ summary: 'Members with a status (default pending)' })
  @ApiQuery({ name: 'status', required: false, enum: STATUSES })
  @ApiOkResponse({ type: MemberResponse, isArray: true })
  @ApiOtpErrors(400)
  list(@Query('status') status: unknown = 'pending'): Promise<MemberView[]> {
    if (!STATUSES.includes(status as MemberStatus)) {
      throw new OtpException(OtpErrorCode.VALIDATION_FAILED, {
        message: `status must be one of ${STATUSES.join(', ')}`,
      });
    }
    return this.members.list(status as MemberStatus);
  }

  /** Approves a member. */
  @Post(':id/approve')
  @ApiOperation({ summary: 'Approve a member' })
  @ApiOkResponse({ type: MemberResponse })
  @ApiOtpErrors(400, 404)
  @HttpCode(HttpStatus.OK)
  approve(@Param('id', uuid()) id: string): Promise<MemberView> {
    return this.members.approve(id);
  }

  /** Blocks a member and revokes their sessions. */
  @Post(':id/block')
  @ApiOperation({ summary: 'Block a member and revoke their sessions' })
  @ApiOkResponse({ type: MemberResponse })
  @ApiOtpErrors(400, 404)
  @HttpCode(HttpStatus.OK)
  block(@Param('id', uuid()) id: string): Promise<MemberView> {
    return this.members.block(id);
  }

  /** Lifts a block. */
  @Post(':id/unblock')
  @ApiOperation({ summary: 'Lift a block' })
  @ApiOkResponse({ type: MemberResponse })
  @ApiOtpErrors(400, 404)
  @HttpCode(HttpStatus.OK)
  unblock(@Param('id', uuid()) id: string): Promise<MemberView> {
    return this.members.unblock(id);
  }
}

/** The admin controller, behind `guard`. */
export function createAdminController(guard: Type<CanActivate>): Type<AdminMembersController> {
  @ApiTags('Admin')
  @Controller('admin/members')
  @OtpRoutes({ validate: false, guards: [guard] })
  class OtpAdminController extends AdminMembersController {}
  return OtpAdminController;
}
