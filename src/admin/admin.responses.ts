import { ApiProperty } from '../http/swagger.js';
import { MemberResponse } from '../members/member.response.js';

/** A page of members. */
export class MemberPageResponse {
  @ApiProperty({ type: MemberResponse, isArray: true })
  items: MemberResponse[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next page' })
  nextCursor: string | null;
}
