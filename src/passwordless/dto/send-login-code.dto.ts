import {
  ChannelField,
  CountryCodeField,
  PhoneNumberField,
} from '../../http/body-fields.decorator.js';

/** Body of `POST /auth/otp/send`. */
export class SendLoginCodeDto {
  /** `sms` or `call`. */
  @ChannelField()
  channel: string;

  /** ISO 3166-1 alpha-2 code of the country chosen in the form, e.g. `US`. */
  @CountryCodeField()
  countryCode: string;

  /** The number as typed, e.g. `(201) 555-0123`. */
  @PhoneNumberField()
  phoneNumber: string;
}
