import { IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { ApiProperty, ApiPropertyOptional } from '../../../http/swagger.js';

/** Body of `POST /auth/account/passkeys`. */
export class RegisterPasskeyDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'What `startRegistration()` of @simplewebauthn/browser answered',
  })
  @IsObject()
  response: Record<string, unknown>;

  @ApiPropertyOptional({
    example: 'Work laptop',
    description: 'Default: the phone as people read it, or the email',
  })
  @IsOptional()
  @MaxLength(64)
  @IsString()
  name?: string;
}

/** Body of `PATCH /auth/account/passkeys/:id`. */
export class RenamePasskeyDto {
  @ApiProperty({ example: 'Phone' })
  @MaxLength(64)
  @IsString()
  name: string;
}

/** Body of `POST /auth/passkey/login`. */
export class PasskeyLoginDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'What `startAuthentication()` of @simplewebauthn/browser answered',
  })
  @IsObject()
  response: Record<string, unknown>;
}
