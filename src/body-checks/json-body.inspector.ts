import type { IncomingMessage } from 'node:http';
import { pipeline, type Readable, Transform } from 'node:stream';
import { BadRequestException, Inject, Injectable, Logger } from '@nestjs/common';
import { type AbstractHttpAdapter, HttpAdapterHost } from '@nestjs/core';
import { OTP_ROUTE_PREFIX } from '../otp-internal.constants.js';
import { type JsonBodyProblem, JsonBodyScanner } from './json-body-scanner.js';
import {
  carriesBody,
  declaredLength,
  isJsonContentType,
  type RequestHeaders,
  uncheckableEncoding,
} from './json-request.util.js';

/**
 * The most a body of the module's routes may weigh: Nest's default JSON limit (100 kB). The
 * module's bodies are a few hundred bytes; a host's lower limit still applies first.
 */
export const MAX_JSON_BODY_BYTES = 100 * 1024;

/**
 * What the inspection of a request's raw JSON body found: `clean`, a problem of the text, a body
 * over `MAX_JSON_BODY_BYTES`, or an encoding whose bytes cannot be checked.
 */
export type JsonBodyInspection = 'clean' | JsonBodyProblem | 'too-large' | 'encoded' | 'not-utf-8';

const inspections = new WeakMap<object, JsonBodyInspection>();

/**
 * The inspection of the body of `request` (as a guard sees it: Express's request, or Fastify's
 * request wrapping the Node.js one), or `undefined` when its raw body was not inspected.
 */
export function inspectionOf(request: object): JsonBodyInspection | undefined {
  return inspections.get((request as { raw?: object }).raw ?? request);
}

/** The parts of Express's request the inspection reads. */
interface ExpressRequest extends IncomingMessage {
  originalUrl?: string;
  body?: unknown;
}

/** The parts of Fastify's request and instance the inspection uses (Fastify is not a dependency). */
interface FastifyRequest {
  raw: IncomingMessage;
  method: string;
  headers: RequestHeaders;
  routeOptions?: { url?: string; bodyLimit?: number };
}
type PreParsingHook = (
  request: FastifyRequest,
  reply: unknown,
  payload: Readable,
  done: (error: Error | null, payload?: Readable) => void,
) => void;
interface FastifyInstance {
  addHook(name: 'preParsing', hook: PreParsingHook): unknown;
}

/**
 * Reads the raw JSON body of every request to the module's routes before the host's body parser
 * does, with `JsonBodyScanner`, so that `JsonRequestGuard` can refuse what the parsed body no
 * longer shows: a key given twice in one object (a parser keeps the last one) and nesting deep
 * enough to exhaust the stack of validation. The body reaches the host's parser byte for byte,
 * so its limits, `rawBody: true` and its errors are unchanged, and the host's own routes are
 * parsed as before.
 *
 * - Express: a middleware registered on the adapter when the application is created, before the
 *   body parsers that `app.init()` registers (and before any `app.use()` of the host). It reads
 *   the body in paused mode and gives it back to the stream with `unshift()`, the stream API for
 *   returning data read ahead, so the parser reads it as if untouched.
 * - Fastify: a `preParsing` hook, which returns the payload through a pass-through stream that
 *   scans the bytes on their way to the content-type parser (and to the host's `bodyLimit`).
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
          adapter.use(this.inspectExpressRequest);
          break;
        case 'fastify':
          (adapter.getInstance() as FastifyInstance).addHook(
            'preParsing',
            this.inspectFastifyRequest,
          );
          break;
      }
    } catch (error) {
      this.logger.warn(
        `Request bodies cannot be checked for repeated keys: ${(error as Error).message}`,
      );
    }
  }

  private readonly inspectExpressRequest = (
    request: ExpressRequest,
    _response: unknown,
    next: (error?: unknown) => void,
  ): void => {
    const path = () => decodedPath(request.originalUrl ?? request.url ?? '');
    if (!this.shouldInspect(request.method, request.headers, path)) {
      next();
      return;
    }
    const early = inspectHeaders(request.headers, MAX_JSON_BODY_BYTES);
    if (early !== undefined) {
      inspections.set(request, early);
      next();
      return;
    }
    if (request.readableEnded || request.body !== undefined) {
      // Read by a parser mounted on the Express app before Nest's adapter: nothing left to see.
      next();
      return;
    }
    const scanner = new JsonBodyScanner();
    readAhead(request, MAX_JSON_BODY_BYTES, scanner, (outcome) => {
      if (outcome === 'aborted') {
        next(new BadRequestException('The request was aborted.'));
        return;
      }
      inspections.set(request, outcome === 'too-large' ? outcome : (scanner.problem ?? 'clean'));
      next();
    });
  };

  private readonly inspectFastifyRequest: PreParsingHook = (request, _reply, payload, done) => {
    if (!this.shouldInspect(request.method, request.headers, () => request.routeOptions?.url)) {
      done(null, payload);
      return;
    }
    // Above Fastify's own limit, Fastify answers 413 without reading the body.
    const limit = Math.min(MAX_JSON_BODY_BYTES, request.routeOptions?.bodyLimit ?? Infinity);
    const early = inspectHeaders(request.headers, limit);
    if (early !== undefined) {
      inspections.set(request.raw, early);
      done(null, payload);
      return;
    }
    done(
      null,
      scanningStream(payload, MAX_JSON_BODY_BYTES, (inspection) =>
        inspections.set(request.raw, inspection),
      ),
    );
  };

  /** Whether a request is a JSON body under the module's prefix (`path` is read last). */
  private shouldInspect(
    method: string | undefined,
    headers: RequestHeaders,
    path: () => string | undefined,
  ): boolean {
    if (!carriesBody(method, headers) || !isJsonContentType(headers)) return false;
    const found = path();
    return found !== undefined && this.matchesPath(found);
  }
}

/** What the headers alone tell: a body that cannot be checked, or one declared over `limit`. */
function inspectHeaders(headers: RequestHeaders, limit: number): JsonBodyInspection | undefined {
  const encoding = uncheckableEncoding(headers);
  if (encoding !== undefined) return encoding;
  const length = declaredLength(headers);
  return length !== undefined && length > limit ? 'too-large' : undefined;
}

/**
 * Whether a path leads under the module's routes: it holds `/<prefix>/`, case aside (Express
 * matches paths without case by default); every path does with the empty prefix.
 */
function pathMatcher(prefix: string | false): (path: string) => boolean {
  if (prefix === false) return () => false;
  if (prefix === '') return () => true;
  const segments = `/${prefix.toLowerCase()}/`;
  return (path) => `${path.split('?')[0].toLowerCase()}/`.includes(segments);
}

function decodedPath(url: string): string {
  const path = url.split('?')[0];
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * Reads `request`'s body through `scanner` (at most `limit` bytes of it) and puts what it read
 * back at the front of the stream, before `done` runs: a parser reading the stream afterwards
 * gets every byte. The stream is read in paused mode, so 'end' is never emitted here; the body is
 * known to be complete when `request.complete` is set, which Node.js does before it pushes the
 * end of the stream.
 */
function readAhead(
  request: IncomingMessage,
  limit: number,
  scanner: JsonBodyScanner,
  done: (outcome: 'read' | 'too-large' | 'aborted') => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  const settle = (outcome: 'read' | 'too-large' | 'aborted') => {
    if (settled) return;
    settled = true;
    request.off('readable', onReadable);
    request.off('close', onClose);
    request.off('error', onClose);
    // In the same tick as the last read(), so the end of the stream is not emitted in between.
    if (chunks.length > 0 && !request.destroyed) {
      request.unshift(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    }
    done(outcome);
  };
  const onReadable = () => {
    let chunk: Buffer | null;
    while ((chunk = request.read() as Buffer | null) !== null) {
      chunks.push(chunk);
      size += chunk.length;
      if (size > limit) {
        settle('too-large');
        return;
      }
      scanner.write(chunk);
    }
    if (request.complete) settle('read');
  };
  const onClose = () => settle('aborted');
  request.on('readable', onReadable);
  request.once('close', onClose);
  request.once('error', onClose);
}

/**
 * A pass-through stream that scans `payload` on its way to Fastify's parser and reports the
 * inspection at its end (or as soon as the body passes `limit`). It carries
 * `receivedEncodedLength`, which Fastify reads from a stream a `preParsing` hook returns.
 */
function scanningStream(
  payload: Readable & { receivedEncodedLength?: number },
  limit: number,
  report: (inspection: JsonBodyInspection) => void,
): Readable {
  const scanner = new JsonBodyScanner();
  let size = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > limit) report('too-large');
      else scanner.write(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      report(size > limit ? 'too-large' : (scanner.problem ?? 'clean'));
      callback();
    },
  });
  Object.defineProperty(stream, 'receivedEncodedLength', {
    get: () => payload.receivedEncodedLength ?? size,
  });
  // An error of the payload (a client gone) destroys `stream`, which Fastify's parser listens to.
  pipeline(payload, stream, () => undefined);
  return stream;
}
