import { createHash } from 'node:crypto';

/** Shortest `SAMPLE_ADMIN_TOKEN` the sample accepts. */
export const ADMIN_TOKEN_MIN_LENGTH = 16;

/** SHA-256 of a string: equal-length digests for a constant-time comparison. */
export function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
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
  ) {}

  /** Reads `SAMPLE_ADMIN_TOKEN`; a token shorter than 16 characters fails start-up. */
  static fromEnv(env: NodeJS.ProcessEnv, developmentMode: boolean): SampleSettings {
    const token = env.SAMPLE_ADMIN_TOKEN;
    if (token !== undefined && token !== '' && token.length < ADMIN_TOKEN_MIN_LENGTH) {
      throw new Error(`SAMPLE_ADMIN_TOKEN must be at least ${ADMIN_TOKEN_MIN_LENGTH} characters`);
    }
    return new SampleSettings(token ? sha256(token) : undefined, developmentMode);
  }

  get adminEnabled(): boolean {
    return this.adminTokenDigest !== undefined;
  }
}
