import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  Logger,
} from '@nestjs/common';
import { BaseExceptionFilter, HttpAdapterHost } from '@nestjs/core';
import { OTP_FLAGGED_ROUTES, OTP_ROUTE_PREFIX } from '../otp-internal.constants.js';
import type { FlaggedRoute, OtpErrorFlag } from './error-flag.js';
import {
  DATABASE_RETRY_AFTER_SECONDS,
  databaseUnavailableReason,
} from '../errors/database-unavailable.js';
import { OtpErrorCode } from '../errors/otp-error-code.js';
import { OtpException, reasonPhrase } from '../errors/otp.exception.js';
import { OTP_ERRORS } from '../errors/otp-errors.js';
import { sanitizeForLog } from '../events/log.util.js';

/** The error body of every route: `{ statusCode, error, code, message }` plus the seed's flag. */
export interface OtpErrorBody {
  statusCode: number;
  error: string;
  code: OtpErrorCode;
  message: string;
  results?: false;
  registerUser?: false;
}

/** The code of a refusal that is not the module's own (the parser's, or a host guard's). */
const CODE_BY_STATUS: Record<number, OtpErrorCode> = {
  400: OtpErrorCode.VALIDATION_FAILED,
  401: OtpErrorCode.UNAUTHENTICATED,
  403: OtpErrorCode.FORBIDDEN,
  404: OtpErrorCode.NOT_FOUND,
  413: OtpErrorCode.PAYLOAD_TOO_LARGE,
  415: OtpErrorCode.UNSUPPORTED_MEDIA_TYPE,
  429: OtpErrorCode.TOO_MANY_REQUESTS,
};

const REFUSED = OTP_ERRORS.REQUEST_REFUSED.message;

const codeOf = (status: number): OtpErrorCode =>
  CODE_BY_STATUS[status] ?? OtpErrorCode.REQUEST_REFUSED;

const clientError = (status: unknown): status is number =>
  typeof status === 'number' && status >= 400 && status < 500;

/**
 * The 4xx status of an error of the body parser or the HTTP adapter (malformed JSON, too large,
 * an unsupported charset, a bad percent-encoding), whether it arrives as it was thrown or wrapped
 * by the adapter in an `HttpException` whose `cause` it is: an http-errors error (body-parser,
 * Express), which carries `expose`, or a `FastifyError`.
 */
function parserErrorStatus(exception: unknown): number | undefined {
  const error = exception instanceof HttpException ? exception.cause : exception;
  if (!(error instanceof Error) || error instanceof HttpException) return undefined;
  const { status, statusCode, expose } = error as {
    status?: unknown;
    statusCode?: unknown;
    expose?: unknown;
  };
  if (typeof expose !== 'boolean' && error.name !== 'FastifyError') return undefined;
  const found = statusCode ?? status;
  return clientError(found) ? found : undefined;
}

/** The message an `HttpException` was given (a list of messages joined). */
function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  const message =
    typeof response === 'string' ? response : (response as { message?: unknown }).message;
  if (typeof message === 'string' && message !== '') return message;
  if (Array.isArray(message) && message.length > 0) return message.map(String).join('; ');
  return exception.message || REFUSED;
}

/**
 * Turns every error thrown on the module's routes into the contract's body. Expected failures
 * (`OtpException`) keep their code and message; the body parser's refusals (malformed JSON, too
 * large, not JSON) get a generic message; another `HttpException` with a 4xx status (a host's
 * guard, such as `admin.guard`, refusing) keeps its status and message, with the code of its
 * status (`FORBIDDEN` for 403, `REQUEST_REFUSED` for a status without one); a database that
 * cannot be reached (see `databaseUnavailableReason`) answers 503 `SERVICE_UNAVAILABLE` with
 * `Retry-After`, logged as a warning; anything else becomes a generic 500 so that no stack
 * trace, SQL or secret reaches a client.
 */
@Catch()
@Injectable()
export class OtpExceptionFilter implements ExceptionFilter {
  protected readonly logger = new Logger('OtpModule');
  /** The seed's success flag, set to `false` in error bodies. */
  protected readonly flag: OtpErrorFlag = 'results';

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    this.reply(exception, host, this.flag);
  }

  /** Answers `exception` with the contract's body and `flag` set to false. */
  reply(exception: unknown, host: ArgumentsHost, flag: OtpErrorFlag): void {
    const { status, code, message, retryAfter } = this.describe(exception);
    const body: OtpErrorBody = {
      statusCode: status,
      error: reasonPhrase(status),
      code,
      message,
      [flag]: false,
    };
    const { httpAdapter } = this.adapterHost;
    const response = host.switchToHttp().getResponse();
    if (retryAfter !== undefined) {
      httpAdapter.setHeader(response, 'Retry-After', String(Math.max(1, Math.ceil(retryAfter))));
    }
    httpAdapter.reply(response, body, status);
  }

  protected describe(exception: unknown): {
    status: number;
    code: OtpErrorCode;
    message: string;
    retryAfter?: number;
  } {
    if (exception instanceof OtpException) {
      if (exception.code === OtpErrorCode.PROVIDER_MISCONFIGURED) {
        this.logger.error(
          'Twilio Verify rejected the credentials or the service SID: check twilio.accountSid, twilio.authToken and twilio.verifyServiceSid',
        );
      }
      return {
        status: exception.getStatus(),
        code: exception.code,
        message: exception.message,
        retryAfter: exception.retryAfterSeconds,
      };
    }
    const parserStatus = parserErrorStatus(exception);
    if (parserStatus !== undefined) {
      const code = codeOf(parserStatus);
      return { status: parserStatus, code, message: OTP_ERRORS[code].message };
    }
    if (exception instanceof HttpException && clientError(exception.getStatus())) {
      // A refusal of the host's (a guard, a pipe, an interceptor): as the host worded it.
      const status = exception.getStatus();
      return { status, code: codeOf(status), message: messageOf(exception) };
    }
    const unreachable =
      exception instanceof HttpException ? undefined : databaseUnavailableReason(exception);
    if (unreachable !== undefined) {
      this.logger.warn(
        `Database unreachable (${sanitizeForLog(unreachable)}): answered 503 SERVICE_UNAVAILABLE`,
      );
      return {
        status: HttpStatus.SERVICE_UNAVAILABLE,
        code: OtpErrorCode.SERVICE_UNAVAILABLE,
        message: OTP_ERRORS.SERVICE_UNAVAILABLE.message,
        retryAfter: DATABASE_RETRY_AFTER_SECONDS,
      };
    }
    const error = exception instanceof Error ? exception : new Error(String(exception));
    this.logger.error(`Unexpected ${error.name}: ${sanitizeForLog(error.message)}`);
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      code: OtpErrorCode.INTERNAL_ERROR,
      message: OTP_ERRORS.INTERNAL_ERROR.message,
    };
  }
}

/** The same filter for the registration routes, whose flag is `registerUser`. */
@Catch()
@Injectable()
export class OtpRegistrationExceptionFilter extends OtpExceptionFilter {
  protected override readonly flag = 'registerUser' as const;
}

/**
 * An app-wide filter for the one case the module's own filters cannot see: a request under the
 * module's routes whose body Nest refuses before any route runs (not JSON, too large). Those get
 * the contract's body; every other error is answered exactly as Nest's default filter does.
 * Register it once: `{ provide: APP_FILTER, useClass: OtpGlobalExceptionFilter }`.
 */
@Catch()
@Injectable()
export class OtpGlobalExceptionFilter extends BaseExceptionFilter {
  private readonly otp: OtpExceptionFilter;

  constructor(
    adapterHost: HttpAdapterHost,
    @Inject(OTP_ROUTE_PREFIX) private readonly prefix: string | false,
    @Inject(OTP_FLAGGED_ROUTES) private readonly flagged: FlaggedRoute[],
  ) {
    super(adapterHost.httpAdapter);
    this.otp = new OtpExceptionFilter(adapterHost);
  }

  override catch(exception: unknown, host: ArgumentsHost): unknown {
    // GraphQL, WebSocket and microservice contexts have no HTTP response to write: their
    // transports turn the error into their own answer.
    if (host.getType() !== 'http') return exception;
    const request = host.switchToHttp().getRequest<{
      method?: string;
      originalUrl?: string;
      url?: string;
    }>();
    const url = request.originalUrl ?? request.url;
    const path = typeof url === 'string' ? url.split('?')[0].replace(/\/+$/, '') : undefined;
    const below = path === undefined ? undefined : this.belowPrefix(path);
    if (below === undefined) {
      super.catch(exception, host);
      return;
    }
    this.otp.reply(exception, host, this.flagOf(request.method, below));
  }

  /**
   * The path below the module's prefix (`/` for the prefix itself), or `undefined` for a path
   * outside the module's routes. A global prefix or a version before the module's is allowed.
   */
  private belowPrefix(path: string): string | undefined {
    if (this.prefix === false) return undefined;
    if (this.prefix === '') return path || '/';
    const prefix = `/${this.prefix}`;
    if (path.endsWith(prefix)) return '/';
    const at = path.indexOf(`${prefix}/`);
    return at === -1 ? undefined : path.slice(at + prefix.length);
  }

  /** The flag of the module's route at `path` (below the prefix): `results` unless declared. */
  private flagOf(method: string | undefined, path: string): OtpErrorFlag {
    const route = this.flagged.find(
      (candidate) => candidate.path === path && candidate.method === method?.toUpperCase(),
    );
    return route?.flag ?? 'results';
  }
}
