import type { OtpModuleOptions } from '../config/otp-options.interface.js';
import { Logger } from '@nestjs/common';
import { resolveOtpOptions } from '../config/resolve-options.js';
import { MemoryRateLimitStorage } from './memory-rate-limit.storage.js';
import { RateLimiterService } from './rate-limiter.service.js';

const HEX32 = '0123456789abcdef'.repeat(2);
const TWILIO = {
  accountSid: `AC${HEX32}`,
  authToken: 'an-auth-token-of-32-characters!!',
  verifyServiceSid: `VA${HEX32}`,
};

/** Counts in memory, and fails every `undo` and `clear`, as a storage whose server went away. */
class GivesNothingBack extends MemoryRateLimitStorage {
  override async undo(): Promise<void> {
    throw new Error('undo failed for sendsPerPhone:+12015550123');
  }
  override async clear(): Promise<void> {
    throw new Error('clear failed for sendsPerEmail:ann@example.com');
  }
}

describe('RateLimiterService', () => {
  const warnings: string[] = [];

  afterEach(() => {
    warnings.length = 0;
    Logger.overrideLogger(false);
  });

  it('lets a success stand when the storage cannot take back or forget, and logs no key', async () => {
    Logger.overrideLogger({
      log: () => undefined,
      error: () => undefined,
      warn: (message: unknown) => void warnings.push(String(message)),
    });
    const limiter = new RateLimiterService(
      resolveOtpOptions({
        twilio: TWILIO,
        mailDomain: 'example.com',
        rateLimit: { storage: new GivesNothingBack() },
      } as OtpModuleOptions),
    );
    const charge = await limiter.consume([['sendsPerPhone', '+12015550123']]);
    await expect(charge.undo()).resolves.toBeUndefined();
    await expect(limiter.clear([['sendsPerEmail', 'ann@example.com']])).resolves.toBeUndefined();
    expect(warnings).toEqual([
      'Rate-limit storage could not take back an attempt (Error): moving on',
      'Rate-limit storage could not forget attempts (Error): moving on',
    ]);
  });
});
