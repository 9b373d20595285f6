import { ApiProperty } from '../http/swagger.js';

/** OpenAPI schema of a member. */
export class MemberResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;
  @ApiProperty({ example: 'alice@example.com' })
  email: string;
  @ApiProperty({ example: '+12015550123', description: 'E.164' })
  phoneNumber: string;
  @ApiProperty({ enum: ['approved', 'pending', 'blocked'] })
  status: string;
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}
