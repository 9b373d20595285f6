import { CountryCodeField, PhoneNumberField } from '../../http/body-fields.decorator.js';
import { RecoveryCodeField } from '../../credentials/recovery-code-field.decorator.js';

/** Body of `POST /auth/otp/recover`. */
export class RecoverDto {
  @CountryCodeField()
  countryCode: string;

  @PhoneNumberField()
  phoneNumber: string;

  @RecoveryCodeField()
  recoveryCode: string;
}
