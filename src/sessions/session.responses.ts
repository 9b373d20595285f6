import { ApiProperty } from '../http/swagger.js';
import { MemberResponse } from '../members/member.response.js';
import { AUTH_METHODS, type AuthMethod } from './session-assurance.js';

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
  @ApiProperty({
    type: String,
    isArray: true,
    enum: AUTH_METHODS,
    description: 'The methods that proved the session (RFC 8176 amr values where one fits)',
  })
  amr: AuthMethod[];
  @ApiProperty({ enum: [1, 2], description: 'Authenticator assurance level (NIST SP 800-63B)' })
  aal: 1 | 2;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'Last proof of a phone, an app or a passkey in this session; null: never',
  })
  verifiedAt: string | null;
  @ApiProperty({ description: 'Whether this is the session of the request.' })
  current: boolean;
}
