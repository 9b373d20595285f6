import { ApiProperty } from '../http/swagger.js';

/** A session re-verified, with its new token (the old one no longer works). */
export class SessionVerifiedResponse {
  @ApiProperty({ enum: [true] })
  results: true;
  @ApiProperty({
    description: 'The new session token (43 characters), shown once; the old one is ended.',
  })
  sessionToken: string;
  @ApiProperty({ format: 'date-time' })
  verifiedAt: string;
}
