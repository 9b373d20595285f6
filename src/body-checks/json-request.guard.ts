import { type CanActivate, type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { type JsonBodyInspection, inspectionOf } from './json-body-inspection.js';
import { MAX_JSON_DEPTH, nestsDeeperThan, scanJson } from './json-body-scanner.js';
import { carriesBody, isJsonContentType, type RequestHeaders } from './json-request.util.js';
import { OtpException } from '../errors/otp.exception.js';
import { OtpErrorCode } from '../errors/otp-error-code.js';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

interface RawRequest {
  method?: string;
  headers: RequestHeaders;
  body?: unknown;
  /** The raw body, kept by Nest when the host creates the app with `rawBody: true`. */
  rawBody?: unknown;
}

/**
 * The module's routes take JSON objects only, refused before validation runs:
 * - a body of another type, compressed, or not UTF-8: 415 `UNSUPPORTED_MEDIA_TYPE` (which also
 *   keeps cross-site HTML forms out);
 * - a body over 100 kB: 413 `PAYLOAD_TOO_LARGE`;
 * - a key given twice in one object, nesting deeper than 32 levels, a body that is not a plain
 *   object, or one carrying `__proto__`/`constructor`/`prototype` keys: 400 `VALIDATION_FAILED`.
 *
 * Repeated keys are seen in the raw body (`JsonBodyInspector`, or Nest's `rawBody`); a body
 * that neither shows is still checked for depth, and the first one is reported in the log.
 */
@Injectable()
export class JsonRequestGuard implements CanActivate {
  protected readonly logger = new Logger('OtpModule');
  private warnedUninspected = false;

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<RawRequest>();
    if (!carriesBody(request.method, request.headers)) return true;
    if (!isJsonContentType(request.headers)) {
      throw new OtpException(OtpErrorCode.UNSUPPORTED_MEDIA_TYPE);
    }
    const inspection = inspectionOf(request) ?? this.inspectRawBody(request);
    if (inspection !== undefined) this.refuse(inspection);
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new OtpException(OtpErrorCode.VALIDATION_FAILED, {
        message: 'The body must be a JSON object.',
      });
    }
    if (Object.keys(body).some((key) => FORBIDDEN_KEYS.has(key))) {
      throw new OtpException(OtpErrorCode.VALIDATION_FAILED, {
        message: 'The body carries a forbidden key.',
      });
    }
    if (inspection === undefined) {
      this.warnUninspected();
      if (nestsDeeperThan(body, MAX_JSON_DEPTH)) this.refuse('too-deep');
    }
    return true;
  }

  /** Throws the refusal of an inspection that found a problem; returns for a clean body. */
  protected refuse(inspection: JsonBodyInspection): void {
    switch (inspection) {
      case 'clean':
        return;
      case 'duplicate-key':
        throw new OtpException(OtpErrorCode.VALIDATION_FAILED, {
          message: 'The body carries a key more than once.',
        });
      case 'too-deep':
        throw new OtpException(OtpErrorCode.VALIDATION_FAILED, {
          message: 'The body is nested too deeply.',
        });
      case 'too-large':
        throw new OtpException(OtpErrorCode.PAYLOAD_TOO_LARGE);
      case 'encoded':
      case 'not-utf-8':
        throw new OtpException(OtpErrorCode.UNSUPPORTED_MEDIA_TYPE, {
          message: 'Send the request body as uncompressed UTF-8 application/json.',
        });
    }
  }

  private inspectRawBody(request: RawRequest): JsonBodyInspection | undefined {
    if (!Buffer.isBuffer(request.rawBody)) return undefined;
    return scanJson(request.rawBody) ?? 'clean';
  }

  private warnUninspected(): void {
    if (this.warnedUninspected) return;
    this.warnedUninspected = true;
    this.logger.warn(
      'A request body reached the module already parsed, so repeated keys in it cannot be refused. ' +
        "Let Nest's adapter (Express or Fastify) parse the module's routes, or create the app with rawBody: true.",
    );
  }
}
