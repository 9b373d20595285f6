import { ApiProperty } from '../../common/swagger.js';
import { IsString, Length, Matches, MaxLength } from 'class-validator';

/** Body of `POST /auth/otp/login`. */
export class PhoneLoginDto {
  /** The code received by SMS or call. */
  @ApiProperty({ example: '123456', pattern: '^\\d{4,10}$' })
  @IsString()
  @Matches(/^\d{4,10}$/, { message: 'confirmationCode must be 4 to 10 digits' })
  confirmationCode: string;

  /** ISO 3166-1 alpha-2 code of the country chosen in the form. */
  @ApiProperty({ example: 'US', description: 'ISO 3166-1 alpha-2 code of the chosen country' })
  @IsString()
  @Length(2, 2)
  countryCode: string;

  /** The number as typed. */
  @ApiProperty({ example: '(201) 555-0123', description: 'As typed; parsed for countryCode' })
  @IsString()
  @MaxLength(32)
  phoneNumber: string;
}
