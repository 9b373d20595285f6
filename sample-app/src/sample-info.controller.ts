import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { OtpChannel } from 'nestjs-otp';
import { SampleSettings } from './sample-settings.js';

/** Where passkeys work. */
class PasskeysInfo {
  @ApiProperty({ example: 'localhost' })
  rpId: string;
  @ApiProperty({ type: String, isArray: true, example: ['http://localhost:3000'] })
  origins: string[];
}

/** What the page needs to know about this server. */
class SampleInfo {
  @ApiProperty({ description: 'Codes go to the in-process emulator and the server log' })
  developmentMode: boolean;
  @ApiProperty({ description: 'The admin routes are mounted (SAMPLE_ADMIN_TOKEN is set)' })
  adminEnabled: boolean;
  @ApiProperty({ description: "The host's name shown in the page's header (SAMPLE_SITE_NAME)" })
  siteName: string;
  @ApiProperty({ description: "Path of the host's logo on this server (SAMPLE_SITE_LOGO)" })
  siteLogo: string;
  @ApiProperty({
    description: 'Channels codes may be sent over (the module option `channels`)',
    enum: ['sms', 'call', 'whatsapp'],
    isArray: true,
  })
  channels: OtpChannel[];
  @ApiProperty({
    description: 'Days a browser trusted at sign-in skips the code; 0 when trusted devices are off',
  })
  trustedDeviceDays: number;
  @ApiProperty({
    description:
      'Where passkeys work: the domain they are bound to (`rpId`) and the origins the page may ' +
      'run on (SAMPLE_PASSKEY_RP_ID, SAMPLE_PASSKEY_ORIGINS); null when they are off',
    type: PasskeysInfo,
    nullable: true,
  })
  passkeys: PasskeysInfo | null;
}

@ApiTags('Sample')
@Controller('api/sample')
export class SampleInfoController {
  constructor(private readonly settings: SampleSettings) {}

  @Get()
  @ApiOperation({
    summary:
      "The host's name and logo, the channels, trusted days, passkeys, development mode and admin",
  })
  @ApiOkResponse({ type: SampleInfo })
  get(): SampleInfo {
    return {
      developmentMode: this.settings.developmentMode,
      adminEnabled: this.settings.adminEnabled,
      ...this.settings.page,
    };
  }
}
