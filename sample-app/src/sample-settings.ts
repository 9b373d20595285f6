import { createHash } from 'node:crypto';
import type { OtpChannel, OtpModuleOptions } from 'nestjs-otp';

/** Shortest `SAMPLE_ADMIN_TOKEN` the sample accepts. */
export const ADMIN_TOKEN_MIN_LENGTH = 16;

/** The name the page shows in its header when `SAMPLE_SITE_NAME` is not set. */
export const DEFAULT_SITE_NAME = 'nestjs-otp sample';
/** The logo the page shows when `SAMPLE_SITE_LOGO` is not set (a file of `sample-app/public/`). */
export const DEFAULT_SITE_LOGO = '/logo.svg';

/** The module's defaults for what the page needs to know (`channels`, `trustedDevices.days`). */
const MODULE_CHANNELS: OtpChannel[] = ['sms', 'call'];
const MODULE_TRUSTED_DEVICE_DAYS = 30;

/** SHA-256 of a string: equal-length digests for a constant-time comparison. */
export function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** What the page shows of the host and of the module's options. */
export interface PageSettings {
  /** The host's name in the page's header (`SAMPLE_SITE_NAME`). */
  siteName: string;
  /** Path or URL of the host's logo, of this origin (`SAMPLE_SITE_LOGO`). */
  siteLogo: string;
  /** Channels codes may be sent over (the module's `channels`). */
  channels: OtpChannel[];
  /** Days a trusted browser skips the code; 0 when trusted devices are off. */
  trustedDeviceDays: number;
  /**
   * Where passkeys work (the module's `passkeys`): the domain they are bound to and the origins
   * the page may run on; `null` when passkeys are off.
   */
  passkeys: PagePasskeys | null;
}

/** The part of the module's `passkeys` option the page needs to know. */
export interface PagePasskeys {
  rpId: string;
  origins: string[];
}

/**
 * What the sample's own parts need to know, decided once at start-up. Provided globally, so the
 * admin guard can be resolved inside `OtpModule`.
 */
export class SampleSettings {
  constructor(
    /** SHA-256 of `SAMPLE_ADMIN_TOKEN`; `undefined` when the admin routes are not mounted. */
    readonly adminTokenDigest: Buffer | undefined,
    /** Codes go to the in-process Twilio Verify emulator and are printed in the log. */
    readonly developmentMode: boolean,
    readonly page: PageSettings = {
      siteName: DEFAULT_SITE_NAME,
      siteLogo: DEFAULT_SITE_LOGO,
      channels: MODULE_CHANNELS,
      trustedDeviceDays: MODULE_TRUSTED_DEVICE_DAYS,
      passkeys: null,
    },
  ) {}

  /**
   * Reads `SAMPLE_ADMIN_TOKEN` (shorter than 16 characters fails start-up), `SAMPLE_SITE_NAME`
   * and `SAMPLE_SITE_LOGO`; `otp` is the module's options, for the channels, trusted days and
   * passkeys.
   */
  static fromEnv(
    env: NodeJS.ProcessEnv,
    developmentMode: boolean,
    otp: Partial<OtpModuleOptions> = {},
  ): SampleSettings {
    const token = env.SAMPLE_ADMIN_TOKEN;
    if (token !== undefined && token !== '' && token.length < ADMIN_TOKEN_MIN_LENGTH) {
      throw new Error(`SAMPLE_ADMIN_TOKEN must be at least ${ADMIN_TOKEN_MIN_LENGTH} characters`);
    }
    const logo = env.SAMPLE_SITE_LOGO?.trim() || DEFAULT_SITE_LOGO;
    // The page's Content-Security-Policy loads images of this origin only.
    if (!logo.startsWith('/') || logo.startsWith('//')) {
      throw new Error('SAMPLE_SITE_LOGO must be a path of this server, such as /logo.svg');
    }
    const days = otp.trustedDevices?.days ?? MODULE_TRUSTED_DEVICE_DAYS;
    return new SampleSettings(token ? sha256(token) : undefined, developmentMode, {
      siteName: env.SAMPLE_SITE_NAME?.trim() || DEFAULT_SITE_NAME,
      siteLogo: logo,
      channels: otp.channels?.length ? [...otp.channels] : MODULE_CHANNELS,
      trustedDeviceDays: Number.isInteger(days) && days > 0 ? days : 0,
      passkeys: otp.passkeys
        ? {
            rpId: otp.passkeys.rpId,
            // The module's default: the rpId over https.
            origins: (otp.passkeys.origins ?? [`https://${otp.passkeys.rpId}`]).map((origin) =>
              origin.replace(/\/$/, ''),
            ),
          }
        : null,
    });
  }

  get adminEnabled(): boolean {
    return this.adminTokenDigest !== undefined;
  }
}
