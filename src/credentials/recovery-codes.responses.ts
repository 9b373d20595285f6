import { ApiProperty } from '../http/swagger.js';

/** A new set of recovery codes, shown once. */
export class RecoveryCodesResponse {
  @ApiProperty({
    type: String,
    isArray: true,
    example: ['7KQ2-M9XD-4T1B-HC8R-ZP3W-6NVA'],
    description: 'Ten single-use codes; only their hashes are kept',
  })
  codes: string[];
}

/** What is left of the member's recovery codes. */
export class RecoveryCodesStatusResponse {
  @ApiProperty({ example: 10 })
  remaining: number;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  createdAt: string | null;
}
