import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { OtpErrorCode, OtpException } from 'nestjs-otp';
import { SampleSettings, sha256 } from './sample-settings.js';

/** Header the admin view sends the token in. */
export const ADMIN_TOKEN_HEADER = 'x-admin-token';

/**
 * Guards the module's admin routes: the request must carry `SAMPLE_ADMIN_TOKEN` in the
 * `X-Admin-Token` header. Both sides are hashed first, so `timingSafeEqual` compares equal-length
 * digests and the time taken says nothing about the token.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(private readonly settings: SampleSettings) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.settings.adminTokenDigest;
    const request = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>();
    const given = request.headers[ADMIN_TOKEN_HEADER];
    if (expected && typeof given === 'string' && timingSafeEqual(sha256(given), expected)) {
      return true;
    }
    throw new OtpException(OtpErrorCode.UNAUTHENTICATED, {
      message: 'The admin token is missing or incorrect.',
    });
  }
}
