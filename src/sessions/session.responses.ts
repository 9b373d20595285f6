import { ApiProperty } from '../common/swagger.js';
import { MemberResponse } from '../members/member.response.js';

/** A session token and the member. */
export class SessionResponse {
  @ApiProperty({ description: 'Opaque session token (43 characters), shown once.' })
  sessionToken: string;
  @ApiProperty({ type: MemberResponse })
  member: MemberResponse;
}

/** A session as listed to its member. */
export class SessionListItem {
  @ApiProperty({ format: 'uuid' })
  id: string;
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
  @ApiProperty({ format: 'date-time' })
  lastSeenAt: string;
  @ApiProperty({ format: 'date-time' })
  expiresAt: string;
  @ApiProperty({ nullable: true, type: String })
  userAgent: string | null;
  @ApiProperty({ description: 'Whether this is the session of the request.' })
  current: boolean;
}
