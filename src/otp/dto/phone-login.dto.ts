import { IsString, Length, Matches, MaxLength } from 'class-validator';

/** Body of `POST /auth/otp/login`. */
export class PhoneLoginDto {
  /** The code received by SMS or call. */
  @IsString()
  @Matches(/^\d{4,10}$/, { message: 'confirmationCode must be 4 to 10 digits' })
  confirmationCode: string;

  /** ISO 3166-1 alpha-2 code of the country chosen in the form. */
  @IsString()
  @Length(2, 2)
  countryCode: string;

  /** The number as typed. */
  @IsString()
  @MaxLength(32)
  phoneNumber: string;
}
