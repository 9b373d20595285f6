import { SessionResponse } from '../sessions/session.responses.js';
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
