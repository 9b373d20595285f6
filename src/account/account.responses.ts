import { ApiProperty } from '../http/swagger.js';
import { MemberResponse } from '../members/member.response.js';
import { PhoneLoginResponse } from '../passwordless/phone-login.response.js';
import { SessionResponse } from '../sessions/session.responses.js';

/** A new set of recovery codes, shown once. */
export class RecoveryCodesResponse {
  @ApiProperty({
    type: String,
    isArray: true,
    example: ['7KQ2-M9XD-4T1B-HC8R-ZP3W-6NVA'],
    description: 'Ten single-use codes; only their hashes are kept',
  })
  codes: string[];
}

/** What is left of the member's recovery codes. */
export class RecoveryCodesStatusResponse {
  @ApiProperty({ example: 10 })
  remaining: number;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  createdAt: string | null;
}

/** A passwordless sign-in by recovery code. */
export class RecoveredPhoneLoginResponse extends PhoneLoginResponse {
  @ApiProperty({ example: 9 })
  recoveryCodesRemaining: number;
}

/** A two-factor sign-in; `recoveryCodesRemaining` when it used a recovery code. */
export class TwoFactorLoginResponse extends SessionResponse {
  @ApiProperty({ required: false, example: 9 })
  recoveryCodesRemaining?: number;
  @ApiProperty({
    required: false,
    description: 'With rememberDevice: the trusted device token (cookie mode: also its cookie)',
  })
  deviceToken?: string;
}

/** What `login/send` answers: the send receipt (none for `totp`) and the member's methods. */
export class LoginCodeSentResponse {
  @ApiProperty({ enum: [true] })
  results: true;
  @ApiProperty({ enum: ['sms', 'call', 'whatsapp', 'totp'], example: 'sms' })
  channel: string;
  @ApiProperty({ type: 'integer', required: false, example: 30, description: 'Not for totp' })
  resendAfterSeconds?: number;
  @ApiProperty({ type: 'integer', required: false, example: 600, description: 'Not for totp' })
  expiresInSeconds?: number;
  @ApiProperty({
    type: String,
    isArray: true,
    example: ['sms', 'call', 'totp', 'recovery'],
    description: 'How the member can prove it is them: channels, totp, recovery',
  })
  methods: string[];
  @ApiProperty({
    required: false,
    enum: [false],
    description: 'From a trusted device: false, nothing was sent, and login needs no code',
  })
  codeRequired?: false;
}

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

/** A page of members. */
export class MemberPageResponse {
  @ApiProperty({ type: MemberResponse, isArray: true })
  items: MemberResponse[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next page' })
  nextCursor: string | null;
}
