import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '../http/swagger.js';
import { ApiOtpErrors } from '../http/api-docs.js';
import { MemberResponse } from '../members/member.response.js';
import { SessionListItem } from './session.responses.js';
import { Controller, Delete, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { uuidParam } from '../http/uuid-param.pipe.js';
import { OtpException } from '../errors/otp.exception.js';
import { OtpErrorCode } from '../errors/otp-error-code.js';
import type { MemberView } from '../members/member.entity.js';
import { CurrentMember } from './current-member.decorator.js';
import { CurrentSessionId } from './current-session-id.decorator.js';
import { SessionCookie } from './session-cookie.interceptor.js';
import { SessionGuard } from './session.guard.js';
import { SessionsService, type SessionView } from './sessions.service.js';
import { OtpRoutes } from '../http/otp-routes.decorator.js';

/** The signed-in member and their sessions. */
@ApiTags('Sessions')
@ApiBearerAuth()
@ApiOtpErrors(401)
@Controller()
@OtpRoutes({ validate: false, guards: [SessionGuard] })
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  /** The signed-in member. */
  @Get('me')
  @ApiOperation({ summary: 'The signed-in member' })
  @ApiOkResponse({ type: MemberResponse })
  me(@CurrentMember() member: MemberView): MemberView {
    return member;
  }

  /** Ends the session the request was made with. */
  @Post('logout')
  @ApiOperation({ summary: 'End this session' })
  @ApiNoContentResponse()
  @ApiOtpErrors(403)
  @HttpCode(HttpStatus.NO_CONTENT)
  @SessionCookie('clear')
  async logout(
    @CurrentMember('id') memberId: string,
    @CurrentSessionId() sessionId: string,
  ): Promise<void> {
    await this.sessions.revoke(memberId, sessionId);
  }

  /** The member's live sessions. */
  @Get('sessions')
  @ApiOperation({ summary: "The member's live sessions" })
  @ApiOkResponse({ type: SessionListItem, isArray: true })
  list(
    @CurrentMember('id') memberId: string,
    @CurrentSessionId() sessionId: string | undefined,
  ): Promise<SessionView[]> {
    return this.sessions.list(memberId, sessionId);
  }

  /** Ends one of the member's sessions. */
  @Delete('sessions/:id')
  @ApiOperation({ summary: "End one of the member's sessions" })
  @ApiNoContentResponse()
  @ApiOtpErrors(400, 403, 404)
  @HttpCode(HttpStatus.NO_CONTENT)
  async revoke(
    @CurrentMember('id') memberId: string,
    @Param('id', uuidParam())
    id: string,
  ): Promise<void> {
    if (!(await this.sessions.revoke(memberId, id)))
      throw new OtpException(OtpErrorCode.NOT_FOUND, { message: 'No such session.' });
  }
}
