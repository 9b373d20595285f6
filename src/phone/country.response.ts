import { ApiProperty } from '../http/swagger.js';

/** A country of the dropdown. */
export class CountryResponse {
  @ApiProperty({ example: 'US' })
  code: string;
  @ApiProperty({ example: 'United States' })
  name: string;
  @ApiProperty({ example: '+1' })
  dialCode: string;
}
