import { ApiProperty } from '../../common/swagger.js';
import { IsString, Length, MaxLength } from 'class-validator';

/** Body of `POST /auth/otp/send`. */
export class SendLoginCodeDto {
  /** `sms` or `call`. */
  @ApiProperty({ enum: ['sms', 'call'], example: 'sms' })
  @IsString()
  @MaxLength(16)
  channel: string;

  /** ISO 3166-1 alpha-2 code of the country chosen in the form, e.g. `US`. */
  @ApiProperty({ example: 'US', description: 'ISO 3166-1 alpha-2 code of the chosen country' })
  @IsString()
  @Length(2, 2)
  countryCode: string;

  /** The number as typed, e.g. `(201) 555-0123`. */
  @ApiProperty({ example: '(201) 555-0123', description: 'As typed; parsed for countryCode' })
  @IsString()
  @MaxLength(32)
  phoneNumber: string;
}
