import { ApiProperty } from '../http/swagger.js';
import { PhoneLoginResponse } from './phone-login.response.js';

/** A passwordless sign-in by recovery code. */
export class RecoveredPhoneLoginResponse extends PhoneLoginResponse {
  @ApiProperty({ example: 9 })
  recoveryCodesRemaining: number;
}
