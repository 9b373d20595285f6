import { Inject, Injectable, Logger } from '@nestjs/common';
import { type AbstractHttpAdapter, HttpAdapterHost } from '@nestjs/core';
import { OTP_ROUTE_PREFIX } from '../otp-internal.constants.js';
import { expressBodyInspection } from './express-body.adapter.js';
import { fastifyBodyInspection, type FastifyInstance } from './fastify-body.adapter.js';
import { pathMatcher } from './json-body-inspection.js';
import { carriesBody, isJsonContentType, type RequestHeaders } from './json-request.util.js';

/**
 * Reads the raw JSON body of every request to the module's routes before the host's body parser
 * does, with `JsonBodyScanner`, so that `JsonRequestGuard` can refuse what the parsed body no
 * longer shows: a key given twice in one object (a parser keeps the last one) and nesting deep
 * enough to exhaust the stack of validation. The body reaches the host's parser byte for byte,
 * so its limits, `rawBody: true` and its errors are unchanged, and the host's own routes are
 * parsed as before.
 *
 * One adapter per platform: Express (`expressBodyInspection`, a middleware that reads ahead and
 * gives the bytes back) and Fastify (`fastifyBodyInspection`, a `preParsing` hook that scans the
 * bytes on their way).
 *
 * Requests are inspected when their path has the module's prefix as a segment sequence (so a
 * global prefix, versioning or a host route that happens to share the prefix are covered too);
 * a host route that is inspected is never refused, as only the guard of the module's routes
 * reads the result.
 */
@Injectable()
export class JsonBodyInspector {
  private readonly logger = new Logger('OtpModule');
  private readonly matchesPath: (path: string) => boolean;

  constructor(adapterHost: HttpAdapterHost, @Inject(OTP_ROUTE_PREFIX) prefix: string | false) {
    this.matchesPath = pathMatcher(prefix);
    if (prefix === false) return;
    // `init$` emits once the application has its adapter: at once here with NestFactory.create(),
    // which sets the adapter before it creates providers; later with Test.createTestingModule(),
    // when createNestApplication() sets it. Either way this is before app.init() registers the
    // body parsers and the routes.
    adapterHost.init$.subscribe(() => this.install(adapterHost.httpAdapter));
  }

  /** Installs the inspection on `adapter`; other adapters than Express and Fastify get none. */
  protected install(adapter: AbstractHttpAdapter | undefined): void {
    try {
      switch (adapter?.getType()) {
        case 'express':
          adapter.use(expressBodyInspection(this.shouldInspect));
          break;
        case 'fastify':
          (adapter.getInstance() as FastifyInstance).addHook(
            'preParsing',
            fastifyBodyInspection(this.shouldInspect),
          );
          break;
      }
    } catch (error) {
      this.logger.warn(
        `Request bodies cannot be checked for repeated keys: ${(error as Error).message}`,
      );
    }
  }

  /** Whether a request is a JSON body under the module's prefix (`path` is read last). */
  private readonly shouldInspect = (
    method: string | undefined,
    headers: RequestHeaders,
    path: () => string | undefined,
  ): boolean => {
    if (!carriesBody(method, headers) || !isJsonContentType(headers)) return false;
    const found = path();
    return found !== undefined && this.matchesPath(found);
  };
}
