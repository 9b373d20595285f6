import type { IncomingMessage } from 'node:http';
import { pipeline, type Readable, Transform } from 'node:stream';
import {
  inspectHeaders,
  type JsonBodyInspection,
  MAX_JSON_BODY_BYTES,
  recordInspection,
} from './json-body-inspection.js';
import { JsonBodyScanner } from './json-body-scanner.js';
import type { RequestHeaders } from './json-request.util.js';

/** The parts of Fastify's request and instance the inspection uses (Fastify is not a dependency). */
export interface FastifyRequest {
  raw: IncomingMessage;
  method: string;
  headers: RequestHeaders;
  routeOptions?: { url?: string; bodyLimit?: number };
}
export type PreParsingHook = (
  request: FastifyRequest,
  reply: unknown,
  payload: Readable,
  done: (error: Error | null, payload?: Readable) => void,
) => void;
export interface FastifyInstance {
  addHook(name: 'preParsing', hook: PreParsingHook): unknown;
}

/**
 * Fastify: a `preParsing` hook that returns the payload of a request `shouldInspect` picks
 * through a pass-through stream, which scans the bytes on their way to the content-type parser
 * (and to the host's `bodyLimit`).
 */
export function fastifyBodyInspection(
  shouldInspect: (
    method: string | undefined,
    headers: RequestHeaders,
    path: () => string | undefined,
  ) => boolean,
): PreParsingHook {
  return (request, _reply, payload, done) => {
    if (!shouldInspect(request.method, request.headers, () => request.routeOptions?.url)) {
      done(null, payload);
      return;
    }
    // Above Fastify's own limit, Fastify answers 413 without reading the body.
    const limit = Math.min(MAX_JSON_BODY_BYTES, request.routeOptions?.bodyLimit ?? Infinity);
    const early = inspectHeaders(request.headers, limit);
    if (early !== undefined) {
      recordInspection(request.raw, early);
      done(null, payload);
      return;
    }
    done(
      null,
      scanningStream(payload, MAX_JSON_BODY_BYTES, (inspection) =>
        recordInspection(request.raw, inspection),
      ),
    );
  };
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
