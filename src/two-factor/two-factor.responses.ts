import { ApiProperty } from '../http/swagger.js';
import { MemberResponse } from '../members/member.response.js';

/** `{ registerUser: true }` */
export class RegisterUserResponse {
  @ApiProperty({ enum: [true] })
  registerUser: true;
}

/** A registration waiting for approval. */
export class PendingRegistrationResponse {
  @ApiProperty({ type: 'null', nullable: true, example: null })
  sessionToken: null;
  @ApiProperty({ type: MemberResponse })
  member: MemberResponse;
}
