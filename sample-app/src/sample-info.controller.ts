import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { SampleSettings } from './sample-settings.js';

/** What the page needs to know about this server. */
class SampleInfo {
  @ApiProperty({ description: 'Codes go to the in-process emulator and the server log' })
  developmentMode: boolean;
  @ApiProperty({ description: 'The admin routes are mounted (SAMPLE_ADMIN_TOKEN is set)' })
  adminEnabled: boolean;
}

@ApiTags('Sample')
@Controller('api/sample')
export class SampleInfoController {
  constructor(private readonly settings: SampleSettings) {}

  @Get()
  @ApiOperation({ summary: 'Whether the sample runs in development mode and has admin routes' })
  @ApiOkResponse({ type: SampleInfo })
  get(): SampleInfo {
    return {
      developmentMode: this.settings.developmentMode,
      adminEnabled: this.settings.adminEnabled,
    };
  }
}
