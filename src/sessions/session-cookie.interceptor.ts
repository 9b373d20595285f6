import type { ResolvedOtpOptions } from '../config/resolved-otp-options.interface.js';
import {
  applyDecorators,
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type Observable, tap } from 'rxjs';
import { RESOLVED_OTP_OPTIONS } from '../otp-internal.constants.js';
import { clearSessionCookie, type HeaderResponse, setSessionCookie } from './session-cookie.js';

/** `set` on the routes that sign in, `clear` on logout. */
type SessionCookieAction = 'set' | 'clear';

const SESSION_COOKIE_ACTION = Reflector.createDecorator<SessionCookieAction>();

/**
 * Sets the session cookie when a route's answer carries a `sessionToken` (a registration waiting
 * for approval answers `sessionToken: null`, and gets none), or clears it, once the route has
 * succeeded; nothing when the options leave cookies off. The answer itself is left as it is.
 */
@Injectable()
export class SessionCookieInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    @Inject(RESOLVED_OTP_OPTIONS) private readonly options: ResolvedOtpOptions,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const { cookie, ttlMs } = this.options.session;
    const action = this.reflector.get(SESSION_COOKIE_ACTION, context.getHandler());
    if (!cookie || !action) return next.handle();
    const response = context.switchToHttp().getResponse<HeaderResponse>();
    return next.handle().pipe(
      tap((answer) => {
        if (action === 'clear') {
          clearSessionCookie(response, cookie);
          return;
        }
        const token = (answer as { sessionToken?: unknown } | undefined)?.sessionToken;
        if (typeof token === 'string') setSessionCookie(response, cookie, token, ttlMs);
      }),
    );
  }
}

/** The route sets (`set`) or clears (`clear`) the session cookie, through the interceptor. */
export function SessionCookie(action: SessionCookieAction): MethodDecorator {
  return applyDecorators(SESSION_COOKIE_ACTION(action), UseInterceptors(SessionCookieInterceptor));
}
