import { applyDecorators } from '@nestjs/common';
import { IsString, MaxLength } from 'class-validator';
import { ApiProperty } from '../http/swagger.js';

/** A recovery code as typed: letters and digits, with or without dashes and spaces. */
export function RecoveryCodeField(): PropertyDecorator {
  return applyDecorators(
    ApiProperty({
      example: '7KQ2-M9XD-4T1B-HC8R-ZP3W-6NVA',
      description: 'One of the member’s recovery codes; case, spaces and dashes do not matter',
    }),
    MaxLength(64),
    IsString(),
  );
}
