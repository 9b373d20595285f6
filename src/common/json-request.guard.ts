import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { OtpException } from './otp.exception.js';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const JSON_TYPE = /^application\/json\s*(;|$)/i;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

interface RawRequest {
  method?: string;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
}

/**
 * The module's routes take JSON objects only: a body of another type is refused with 415
 * `UNSUPPORTED_MEDIA_TYPE` (which also keeps cross-site HTML forms out), and a body that is not
 * a plain object, or carries `__proto__`/`constructor`/`prototype` keys, with 400.
 */
@Injectable()
export class JsonRequestGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<RawRequest>();
    if (!BODY_METHODS.has((request.method ?? '').toUpperCase()) || !this.hasBody(request)) {
      return true;
    }
    const type = request.headers['content-type'];
    if (typeof type !== 'string' || !JSON_TYPE.test(type)) {
      throw OtpException.unsupportedMediaType();
    }
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw OtpException.validation('The body must be a JSON object.');
    }
    if (Object.keys(body).some((key) => FORBIDDEN_KEYS.has(key))) {
      throw OtpException.validation('The body carries a forbidden key.');
    }
    return true;
  }

  private hasBody(request: RawRequest): boolean {
    const length = request.headers['content-length'];
    return (
      request.headers['transfer-encoding'] !== undefined ||
      (typeof length === 'string' && length !== '0')
    );
  }
}
