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
import { OTP_ROUTE_PREFIX } from '../otp-internal.constants.js';
import { OtpErrorCode } from './otp-error-code.js';
import { OtpException } from './otp.exception.js';
import { sanitizeForLog } from './log.util.js';

/** The error body of every route: `{ statusCode, error, code, message }` plus the seed's flag. */
export interface OtpErrorBody {
  statusCode: number;
  error: string;
  code: OtpErrorCode;
  message: string;
  results?: false;
  registerUser?: false;
}

const CODE_BY_STATUS: Record<number, OtpErrorCode> = {
  400: OtpErrorCode.VALIDATION_FAILED,
  401: OtpErrorCode.UNAUTHENTICATED,
  404: OtpErrorCode.NOT_FOUND,
  413: OtpErrorCode.PAYLOAD_TOO_LARGE,
  415: OtpErrorCode.UNSUPPORTED_MEDIA_TYPE,
  429: OtpErrorCode.TOO_MANY_REQUESTS,
};

const MESSAGE_BY_CODE: Partial<Record<OtpErrorCode, string>> = {
  VALIDATION_FAILED: 'The request is malformed: send a JSON object with the documented fields.',
  UNAUTHENTICATED: 'Sign in to continue.',
  NOT_FOUND: 'Not found.',
  PAYLOAD_TOO_LARGE: 'The request body is too large.',
  UNSUPPORTED_MEDIA_TYPE: 'Send the request body as application/json.',
  TOO_MANY_REQUESTS: 'Too many attempts. Try again later.',
  INTERNAL_ERROR: 'Something went wrong. Try again later.',
};

/**
 * The 4xx status of an error that is the client's fault: an `HttpException` (Nest turns a body
 * that is not valid JSON into a 400), or an error of the body parser carrying `status` (413).
 */
function clientErrorStatus(exception: unknown): number | undefined {
  const status =
    exception instanceof HttpException
      ? exception.getStatus()
      : (exception as { status?: unknown; expose?: unknown } | null)?.expose === true
        ? (exception as { status?: unknown }).status
        : undefined;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

function reasonPhrase(status: number): string {
  const name = HttpStatus[status];
  if (typeof name !== 'string') return 'Error';
  return name
    .toLowerCase()
    .split('_')
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join(' ');
}

/**
 * Turns every error thrown on the module's routes into the contract's body. Expected failures
 * (`OtpException`) keep their code and message; anything else becomes a generic body so that no
 * stack trace, SQL or secret reaches a client.
 */
@Catch()
@Injectable()
export class OtpExceptionFilter implements ExceptionFilter {
  protected readonly logger = new Logger('OtpModule');
  /** The seed's success flag, set to `false` in error bodies. */
  protected readonly flag: 'results' | 'registerUser' = 'results';

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    this.reply(exception, host, this.flag);
  }

  /** Answers `exception` with the contract's body and `flag` set to false. */
  reply(exception: unknown, host: ArgumentsHost, flag: 'results' | 'registerUser'): void {
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
    const status = clientErrorStatus(exception);
    if (status !== undefined) {
      const code = CODE_BY_STATUS[status] ?? OtpErrorCode.VALIDATION_FAILED;
      return { status, code, message: MESSAGE_BY_CODE[code] ?? 'The request was refused.' };
    }
    const error = exception instanceof Error ? exception : new Error(String(exception));
    this.logger.error(`Unexpected ${error.name}: ${sanitizeForLog(error.message)}`);
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      code: OtpErrorCode.INTERNAL_ERROR,
      message: MESSAGE_BY_CODE.INTERNAL_ERROR!,
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
  ) {
    super(adapterHost.httpAdapter);
    this.otp = new OtpExceptionFilter(adapterHost);
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    const path = this.pathOf(host);
    if (this.prefix === false || path === undefined || !this.isModulePath(path)) {
      super.catch(exception, host);
      return;
    }
    this.otp.reply(exception, host, path.includes('/2fa/register') ? 'registerUser' : 'results');
  }

  private isModulePath(path: string): boolean {
    const prefix = this.prefix === '' ? '' : `/${this.prefix}`;
    return path === prefix || path.startsWith(`${prefix}/`);
  }

  private pathOf(host: ArgumentsHost): string | undefined {
    if (host.getType() !== 'http') return undefined;
    const request = host.switchToHttp().getRequest<{ originalUrl?: string; url?: string }>();
    const url = request.originalUrl ?? request.url;
    return typeof url === 'string' ? url.split('?')[0] : undefined;
  }
}
