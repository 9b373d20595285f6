import { Controller, Get, UseGuards } from '@nestjs/common';
import { CurrentMember, type MemberView, SessionGuard } from 'nestjs-otp';

/** The sample's own routes, for signed-in members only. */
@Controller('api/members-area')
@UseGuards(SessionGuard)
export class MembersAreaController {
  /** Returns the signed-in member. */
  @Get()
  get(@CurrentMember() member: MemberView): { greeting: string; member: MemberView } {
    return { greeting: `Welcome, ${member.email}`, member };
  }
}
