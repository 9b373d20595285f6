import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '../common/swagger.js';
import { ApiOtpErrors } from '../common/api-docs.js';
import { MemberResponse } from '../members/member.response.js';
import { SessionListItem } from './session.responses.js';
import {
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Param,
  ParseUUIDPipe,
  Post,
  Req,
  Res,
} from '@nestjs/common';
import { OtpException } from '../common/otp.exception.js';
import { OtpErrorCode } from '../common/otp-error-code.js';
import type { ResolvedOtpOptions } from '../config/resolved-otp-options.interface.js';
import type { MemberView } from '../members/member.entity.js';
import { RESOLVED_OTP_OPTIONS } from '../otp-internal.constants.js';
import { CurrentMember } from './current-member.decorator.js';
import { clearSessionCookie } from './session-cookie.js';
import type { OtpRequest } from './session-request.interface.js';
import { SessionGuard } from './session.guard.js';
import { SessionsService, type SessionView } from './sessions.service.js';
import { OtpRoutes } from '../common/otp-routes.decorator.js';

/** The signed-in member and their sessions. */
@ApiTags('Sessions')
@ApiBearerAuth()
@ApiOtpErrors(401)
@Controller()
@OtpRoutes({ validate: false, guards: [SessionGuard] })
export class SessionsController {
  constructor(
    private readonly sessions: SessionsService,
    @Inject(RESOLVED_OTP_OPTIONS) private readonly options: ResolvedOtpOptions,
  ) {}

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
  async logout(
    @Req() request: OtpRequest,
    @Res({ passthrough: true }) response: { header(name: string, value: string): unknown },
  ): Promise<void> {
    await this.sessions.revoke(request.user!.id, request.otpSessionId!);
    const { cookie } = this.options.session;
    if (cookie) clearSessionCookie(response, cookie);
  }

  /** The member's live sessions. */
  @Get('sessions')
  @ApiOperation({ summary: "The member's live sessions" })
  @ApiOkResponse({ type: SessionListItem, isArray: true })
  list(@Req() request: OtpRequest): Promise<SessionView[]> {
    return this.sessions.list(request.user!.id, request.otpSessionId);
  }

  /** Ends one of the member's sessions. */
  @Delete('sessions/:id')
  @ApiOperation({ summary: "End one of the member's sessions" })
  @ApiNoContentResponse()
  @ApiOtpErrors(400, 403, 404)
  @HttpCode(HttpStatus.NO_CONTENT)
  async revoke(
    @CurrentMember('id') memberId: string,
    @Param(
      'id',
      new ParseUUIDPipe({
        exceptionFactory: () =>
          new OtpException(OtpErrorCode.VALIDATION_FAILED, { message: 'id must be a UUID' }),
      }),
    )
    id: string,
  ): Promise<void> {
    if (!(await this.sessions.revoke(memberId, id)))
      throw new OtpException(OtpErrorCode.NOT_FOUND, { message: 'No such session.' });
  }
}
