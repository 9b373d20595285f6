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
import { CurrentMember, type MemberView, OtpExceptionFilter, SessionGuard } from 'nestjs-otp';

/** OpenAPI shape of the members-area answer. */
class MembersAreaResponse {
  @ApiProperty({ example: 'Welcome, alice@example.com' })
  greeting: string;
  @ApiProperty({
    example: {
      id: '6f1c…',
      email: 'alice@example.com',
      phoneNumber: '+12015550123',
      status: 'approved',
      createdAt: '2025-01-01T00:00:00.000Z',
    },
  })
  member: MemberView;
}

/** The sample's own API, for signed-in members only. */
@ApiTags('Sample')
@ApiCookieAuth('otp_session')
@ApiBearerAuth()
@Controller('api/members-area')
@UseGuards(SessionGuard)
@UseFilters(OtpExceptionFilter)
export class MembersAreaController {
  /** Returns the signed-in member. */
  @Get()
  @ApiOperation({ summary: 'The signed-in member, from a route protected by SessionGuard' })
  @ApiOkResponse({ type: MembersAreaResponse })
  @ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED: no valid session' })
  get(@CurrentMember() member: MemberView): MembersAreaResponse {
    return { greeting: `Welcome, ${member.email}`, member };
  }
}
