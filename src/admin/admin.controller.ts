import {
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '../http/swagger.js';
import { AdminSetPhoneDto } from './dto/admin-set-phone.dto.js';
import { MemberPageResponse } from './admin.responses.js';
import { createOtpValidationPipe } from '../http/otp-validation.pipe.js';
import { ApiOtpErrors } from '../http/api-docs.js';
import { MemberResponse } from '../members/member.response.js';
import {
  Body,
  type CanActivate,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Injectable,
  Param,
  Post,
  Query,
  type Type,
  UsePipes,
} from '@nestjs/common';
import { uuidParam } from '../http/uuid-param.pipe.js';
import { OtpException } from '../errors/otp.exception.js';
import { OtpErrorCode } from '../errors/otp-error-code.js';
import type { MemberStatus, MemberView } from '../members/member.entity.js';
import { MAX_PAGE_SIZE, type MemberPage, MembersService } from './members.service.js';
import { ADMIN_DEFAULTS } from './admin.options.js';
import { OtpRoutes } from '../http/otp-routes.decorator.js';

const STATUSES: readonly MemberStatus[] = ['pending', 'approved', 'blocked'];

/** Admin routes; mounted behind the host's `admin.guard` only. */
@Injectable()
abstract class AdminMembersController {
  constructor(private readonly members: MembersService) {}

  /**
   * A page of members, oldest first: by status, and by the start of an email or phone (`q`),
   * `limit` per page (default 50, at most 200), after `cursor` (the previous page's `nextCursor`).
   */
  @Get()
  @ApiOperation({ summary: 'Members, a page at a time: by status, searched by email or phone' })
  @ApiQuery({ name: 'status', required: false, enum: STATUSES })
  @ApiQuery({ name: 'q', required: false, description: 'Start of an email or phone number' })
  @ApiQuery({
    name: 'limit',
    required: false,
    type: Number,
    description: `1 to ${MAX_PAGE_SIZE}; default ${ADMIN_DEFAULTS.pageSize}`,
  })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiOkResponse({ type: MemberPageResponse })
  @ApiOtpErrors(400)
  list(
    @Query('status') status: unknown,
    @Query('q') q: unknown,
    @Query('limit') limit: unknown,
    @Query('cursor') cursor: unknown,
  ): Promise<MemberPage> {
    for (const [name, value] of Object.entries({ status, q, limit, cursor })) {
      if (value !== undefined && typeof value !== 'string') {
        throw new OtpException(OtpErrorCode.VALIDATION_FAILED, {
          message: `${name} must be given once`,
        });
      }
    }
    if (status !== undefined && !STATUSES.includes(status as MemberStatus)) {
      throw new OtpException(OtpErrorCode.VALIDATION_FAILED, {
        message: `status must be one of ${STATUSES.join(', ')}`,
      });
    }
    if (limit !== undefined && !/^\d{1,4}$/.test(limit as string)) {
      throw new OtpException(OtpErrorCode.VALIDATION_FAILED, {
        message: `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`,
      });
    }
    return this.members.page({
      status: status as MemberStatus | undefined,
      q: q as string | undefined,
      limit: limit === undefined ? undefined : Number(limit),
      cursor: cursor as string | undefined,
    });
  }

  /** One member. */
  @Get(':id')
  @ApiOperation({ summary: 'One member' })
  @ApiOkResponse({ type: MemberResponse })
  @ApiOtpErrors(400, 404)
  async get(@Param('id', uuidParam()) id: string): Promise<MemberView> {
    const member = await this.members.findById(id);
    if (!member) throw new OtpException(OtpErrorCode.NOT_FOUND, { message: 'No such member.' });
    return member;
  }

  /**
   * Sets a member's phone, once the admin has checked the member's identity another way;
   * every session of the member is revoked.
   */
  @Post(':id/phone')
  @UsePipes(createOtpValidationPipe())
  @ApiOperation({
    summary: "Set a member's phone (identity checked out of band); sessions revoked",
  })
  @ApiOkResponse({ type: MemberResponse })
  @ApiOtpErrors(400, 404, 409)
  @HttpCode(HttpStatus.OK)
  setPhone(
    @Param('id', uuidParam()) id: string,
    @Body() body: AdminSetPhoneDto,
  ): Promise<MemberView> {
    return this.members.setPhone(id, body.countryCode, body.phoneNumber);
  }

  /** Erases a member with their sessions and recovery codes. */
  @Delete(':id')
  @ApiOperation({ summary: 'Delete a member with their sessions and recovery codes' })
  @ApiNoContentResponse()
  @ApiOtpErrors(400, 404)
  @HttpCode(HttpStatus.NO_CONTENT)
  async remove(@Param('id', uuidParam()) id: string): Promise<void> {
    await this.members.delete(id);
  }

  /** Approves a member. */
  @Post(':id/approve')
  @ApiOperation({ summary: 'Approve a member' })
  @ApiOkResponse({ type: MemberResponse })
  @ApiOtpErrors(400, 404)
  @HttpCode(HttpStatus.OK)
  approve(@Param('id', uuidParam()) id: string): Promise<MemberView> {
    return this.members.approve(id);
  }

  /** Blocks a member and revokes their sessions. */
  @Post(':id/block')
  @ApiOperation({ summary: 'Block a member and revoke their sessions' })
  @ApiOkResponse({ type: MemberResponse })
  @ApiOtpErrors(400, 404)
  @HttpCode(HttpStatus.OK)
  block(@Param('id', uuidParam()) id: string): Promise<MemberView> {
    return this.members.block(id);
  }

  /** Lifts a block. */
  @Post(':id/unblock')
  @ApiOperation({ summary: 'Lift a block' })
  @ApiOkResponse({ type: MemberResponse })
  @ApiOtpErrors(400, 404)
  @HttpCode(HttpStatus.OK)
  unblock(@Param('id', uuidParam()) id: string): Promise<MemberView> {
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
