import { IsEmail, IsString, Length, Matches, MaxLength } from 'class-validator';

const CODE = /^\d{4,10}$/;
const CODE_MESSAGE = 'confirmationCode must be 4 to 10 digits';

/**
 * Passwords are only checked for type and an outer bound here; the policy (8 to 128 characters
 * after normalisation, not a common password) is applied by the service, so that services called
 * directly get the same rules.
 */
const PASSWORD_OUTER_BOUND = 512;

/** Body of `POST /auth/2fa/register/send`. */
export class SendRegistrationCodeDto {
  @IsEmail()
  @MaxLength(254)
  email: string;

  @IsString()
  @MaxLength(32)
  phoneNumber: string;

  @IsString()
  @Length(2, 2)
  countryCode: string;

  @IsString()
  @MaxLength(16)
  channel: string;
}

/** Body of `POST /auth/2fa/register`. */
export class RegisterDto {
  @IsString()
  @MaxLength(32)
  phoneNumber: string;

  @IsString()
  @Length(2, 2)
  countryCode: string;

  @IsEmail()
  @MaxLength(254)
  email: string;

  @IsString()
  @MaxLength(PASSWORD_OUTER_BOUND, { message: 'password must be at most 128 characters' })
  password: string;

  @IsString()
  @Matches(CODE, { message: CODE_MESSAGE })
  confirmationCode: string;
}

/** Body of `POST /auth/2fa/login/send`. */
export class SendTwoFactorLoginCodeDto {
  @IsString()
  @MaxLength(254)
  email: string;

  @IsString()
  @MaxLength(PASSWORD_OUTER_BOUND, { message: 'password must be at most 128 characters' })
  password: string;

  @IsString()
  @MaxLength(16)
  channel: string;
}

/** Body of `POST /auth/2fa/login`. */
export class TwoFactorLoginDto {
  @IsString()
  @MaxLength(254)
  email: string;

  @IsString()
  @MaxLength(PASSWORD_OUTER_BOUND, { message: 'password must be at most 128 characters' })
  password: string;

  @IsString()
  @Matches(CODE, { message: CODE_MESSAGE })
  confirmationCode: string;
}

/** Body of `POST /auth/2fa/password/send`. */
export class SendPasswordResetCodeDto {
  @IsEmail()
  @MaxLength(254)
  email: string;

  @IsString()
  @MaxLength(16)
  channel: string;
}

/** Body of `POST /auth/2fa/password/reset`. */
export class ResetPasswordDto {
  @IsEmail()
  @MaxLength(254)
  email: string;

  @IsString()
  @Matches(CODE, { message: CODE_MESSAGE })
  confirmationCode: string;

  @IsString()
  @MaxLength(PASSWORD_OUTER_BOUND, { message: 'newPassword must be at most 128 characters' })
  newPassword: string;
}

/** Body of `POST /auth/2fa/password/change/send`. */
export class SendPasswordChangeCodeDto {
  @IsString()
  @MaxLength(16)
  channel: string;
}

/** Body of `POST /auth/2fa/password/change`. */
export class ChangePasswordDto {
  @IsString()
  @MaxLength(PASSWORD_OUTER_BOUND, { message: 'currentPassword must be at most 128 characters' })
  currentPassword: string;

  @IsString()
  @MaxLength(PASSWORD_OUTER_BOUND, { message: 'newPassword must be at most 128 characters' })
  newPassword: string;

  @IsString()
  @Matches(CODE, { message: CODE_MESSAGE })
  confirmationCode: string;
}
