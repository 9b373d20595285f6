import {
  ConfirmationCodeField,
  CountryCodeField,
  PhoneNumberField,
} from '../../http/body-fields.decorator.js';

/** Body of `POST /auth/otp/login`. */
export class PhoneLoginDto {
  /** The code received by SMS or call. */
  @ConfirmationCodeField()
  confirmationCode: string;

  /** ISO 3166-1 alpha-2 code of the country chosen in the form. */
  @CountryCodeField()
  countryCode: string;

  /** The number as typed. */
  @PhoneNumberField()
  phoneNumber: string;
}
