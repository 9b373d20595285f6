import { ApiProperty } from '../http/swagger.js';
import { SessionResponse } from '../sessions/session.responses.js';

/** A passwordless sign-in. */
export class PhoneLoginResponse extends SessionResponse {
  @ApiProperty({ enum: [true] })
  results: true;
  @ApiProperty()
  isNewMember: boolean;
}
