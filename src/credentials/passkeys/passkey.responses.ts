import { ApiProperty } from '../../http/swagger.js';
import { MemberResponse } from '../../members/member.response.js';

/** A passkey as listed to its member. */
export class PasskeyResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;
  @ApiProperty({ example: '+1 201 555 0123' })
  name: string;
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  lastUsedAt: string | null;
  @ApiProperty({ description: 'Synced to other devices by a passkey manager' })
  backedUp: boolean;
  @ApiProperty({ type: String, isArray: true, example: ['internal', 'hybrid'] })
  transports: string[];
}

/** WebAuthn options for the browser (`startRegistration()` or `startAuthentication()`). */
export class PasskeyOptionsResponse {
  @ApiProperty({ description: 'Single-use, base64url; expires (passkeys.challengeTtlSeconds)' })
  challenge: string;
}

/** A sign-in with a passkey. */
export class PasskeyLoginResponse {
  @ApiProperty({ description: 'Opaque session token (43 characters), shown once.' })
  sessionToken: string;
  @ApiProperty({ type: MemberResponse })
  member: MemberResponse;
}
