import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  databaseOutageRefusal,
  databaseUnavailableReason,
  type RetryAfterResponse,
} from '../errors/database-unavailable.js';
import { OtpException } from '../errors/otp.exception.js';
import { OtpErrorCode } from '../errors/otp-error-code.js';
import type { ResolvedOtpOptions } from '../config/resolved-otp-options.interface.js';
import { OTP_IS_PUBLIC_KEY } from '../otp.constants.js';
import { RESOLVED_OTP_OPTIONS } from '../otp-internal.constants.js';
import {
  closeRefused,
  closeUnauthenticated,
  contextRequest,
  graphqlRefusal,
  graphqlUnauthenticated,
  rememberHandshake,
  wsRefusal,
  wsUnauthenticated,
} from './session-context.js';
import type { OtpRequest } from './session-request.interface.js';
import { type AuthenticatedSession, SessionsService } from './sessions.service.js';
import { extractSessionToken } from './token-extractor.js';

/** Options of `SessionGuard.authenticateConnection()`. */
export interface ConnectionAuthOptions {
  /**
   * Keep a connection that has no valid session open (its messages are still checked one by
   * one, so only `@Public()` handlers answer it). Default `false`: such a connection is closed.
   */
  allowAnonymous?: boolean;
}

/**
 * Lets a request through when it carries a valid session (`Authorization: Bearer <token>` or
 * the session cookie) and sets `request.user` to the member; refuses with 401 `UNAUTHENTICATED`
 * otherwise, and with 503 `SERVICE_UNAVAILABLE` and `Retry-After` when the session cannot be
 * looked up because the database is unreachable. Routes marked `@Public()` pass without a
 * session. Use it per route (`@UseGuards(SessionGuard)`) or globally
 * (`{ provide: APP_GUARD, useClass: SessionGuard }`).
 *
 * It guards GraphQL resolvers (the token of the HTTP request in the context, `req`; refused
 * with an error whose `extensions.code` is `UNAUTHENTICATED`) and WebSocket gateways (the token
 * of the connection's upgrade request, see `authenticateConnection()`; refused with a
 * `WsException` the client receives as an `exception` event).
 *
 * Subclass it to change how a request or token is found, or what a refusal throws.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    protected readonly sessions: SessionsService,
    protected readonly reflector: Reflector,
    @Inject(RESOLVED_OTP_OPTIONS) protected readonly options: ResolvedOtpOptions,
  ) {}

  /** Route handlers (and their controllers) already looked up for `@Public()`. */
  private readonly publicRoutes = new WeakMap<object, WeakMap<object, boolean>>();

  private readonly logger = new Logger('OtpModule');

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (this.isPublic(context)) return true;
    const request = this.getRequest(context);
    // Answered without a promise when the session is in the cache: the common case.
    const session = this.sessions.check(this.extractToken(request));
    return session instanceof Promise
      ? session.then(
          (found) => this.decide(found, request, context),
          (error: unknown) => this.handleLookupFailure(error, context),
        )
      : this.decide(session, request, context);
  }

  /** Whether the route or its controller is marked `@Public()`. */
  protected isPublic(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byController = this.publicRoutes.get(handler);
    let isPublic = byController?.get(controller);
    if (isPublic === undefined) {
      isPublic =
        this.reflector.getAllAndOverride<boolean | undefined>(OTP_IS_PUBLIC_KEY, [
          handler,
          controller,
        ]) === true;
      if (!byController) this.publicRoutes.set(handler, (byController = new WeakMap()));
      byController.set(controller, isPublic);
    }
    return isPublic;
  }

  /**
   * The request to read the token from and attach the member to: the HTTP request; for GraphQL
   * the request in the context value; for a WebSocket message the connection's upgrade request.
   */
  protected getRequest(context: ExecutionContext): OtpRequest {
    if (context.getType() === 'http') return context.switchToHttp().getRequest<OtpRequest>();
    // Without a request there is no token: refused, unless a subclass finds one elsewhere.
    return contextRequest(context) ?? { headers: {} };
  }

  /**
   * For WebSocket gateways, from `handleConnection(client, request)`: remembers the upgrade
   * request, whose token (Authorization header or session cookie) the guard then checks on
   * every message, and checks it now. Without a valid session the connection is closed (a `ws`
   * socket with code 4401, reason `UNAUTHENTICATED`; Socket.IO disconnects) unless
   * `allowAnonymous` is set. When the database cannot be reached the connection is closed too (a
   * `ws` socket with code 1013, Try Again Later, reason `SERVICE_UNAVAILABLE`), or kept, with
   * `allowAnonymous`, for its messages to be checked once it is back. Resolves to the session, or
   * `null`.
   */
  async authenticateConnection(
    client: object,
    request: OtpRequest,
    options: ConnectionAuthOptions = {},
  ): Promise<AuthenticatedSession | null> {
    rememberHandshake(client, request);
    let session: AuthenticatedSession | null;
    try {
      session = await this.sessions.check(this.extractToken(request));
    } catch (error) {
      this.refuseUnavailable(error, 'a WebSocket connection');
      if (!options.allowAnonymous) closeRefused(client, OtpErrorCode.SERVICE_UNAVAILABLE);
      return null;
    }
    if (session) {
      request.user = session.member;
      request.otpSessionId = session.sessionId;
      request.otpSession = session;
    } else if (!options.allowAnonymous) {
      closeUnauthenticated(client);
    }
    return session;
  }

  /**
   * Called when the session could not be looked up. When the database is unreachable, refuses
   * with 503 `SERVICE_UNAVAILABLE`: over HTTP an `OtpException` with `Retry-After` (the header
   * set on the response here too, for a host's route that Nest's own filter answers); for
   * GraphQL with `extensions: { code: 'SERVICE_UNAVAILABLE' }`; for WebSockets a `WsException`
   * whose body carries that code. Any other error is thrown again as it is.
   */
  protected handleLookupFailure(
    error: unknown,
    context: ExecutionContext,
  ): boolean | Promise<boolean> {
    const type = context.getType<string>();
    const response =
      type === 'http' ? context.switchToHttp().getResponse<RetryAfterResponse>() : undefined;
    const refusal = databaseOutageRefusal(error, response);
    if (!refusal) throw error;
    this.logRefusal(refusal.reason, type === 'http' ? 'a request' : `a ${type} request`);
    if (type === 'ws') return wsRefusal(OtpErrorCode.SERVICE_UNAVAILABLE);
    if (type === 'graphql') throw graphqlRefusal(OtpErrorCode.SERVICE_UNAVAILABLE);
    throw refusal;
  }

  /** Logs the refusal of `what` for an unreachable database; throws any other `error` again. */
  private refuseUnavailable(error: unknown, what: string): void {
    const reason = databaseUnavailableReason(error);
    if (reason === undefined) throw error;
    this.logRefusal(reason, what);
  }

  private logRefusal(reason: string, what: string): void {
    this.logger.warn(
      `Database unreachable (${reason}): refused ${what} with 503 SERVICE_UNAVAILABLE`,
    );
  }

  /** The token of the request: bearer header first, then the session cookie when enabled. */
  protected extractToken(request: OtpRequest): string | undefined {
    return extractSessionToken(request, this.options.session.cookie);
  }

  private decide(
    session: AuthenticatedSession | null,
    request: OtpRequest,
    context: ExecutionContext,
  ): boolean | Promise<boolean> {
    if (!session) {
      // A WebSocket connection keeps its request: forget a member whose session has ended.
      if (request.user) request.user = request.otpSessionId = request.otpSession = undefined;
      return this.handleUnauthenticated(context);
    }
    request.user = session.member;
    request.otpSessionId = session.sessionId;
    request.otpSession = session;
    return this.onAuthenticated(session, context);
  }

  /** Called with a valid session; return `false` to refuse anyway (e.g. a role check). */
  protected onAuthenticated(_session: AuthenticatedSession, _context: ExecutionContext): boolean {
    return true;
  }

  /**
   * Called when there is no valid session. Refuses by default: throws 401 `UNAUTHENTICATED`
   * (for GraphQL with `extensions: { code: 'UNAUTHENTICATED' }`), or for WebSockets rejects with
   * a `WsException` whose body carries that code.
   */
  protected handleUnauthenticated(context: ExecutionContext): boolean | Promise<boolean> {
    const type = context.getType<string>();
    if (type === 'ws') return wsUnauthenticated();
    throw type === 'graphql'
      ? graphqlUnauthenticated()
      : new OtpException(OtpErrorCode.UNAUTHENTICATED);
  }
}
