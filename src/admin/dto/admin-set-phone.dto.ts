import { CountryCodeField, PhoneNumberField } from '../../http/body-fields.decorator.js';

/** Body of `POST /auth/admin/members/:id/phone`. */
export class AdminSetPhoneDto {
  @CountryCodeField()
  countryCode: string;

  @PhoneNumberField()
  phoneNumber: string;
}
