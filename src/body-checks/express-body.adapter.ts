import type { IncomingMessage } from 'node:http';
import { BadRequestException } from '@nestjs/common';
import {
  decodedPath,
  inspectHeaders,
  MAX_JSON_BODY_BYTES,
  recordInspection,
} from './json-body-inspection.js';
import { JsonBodyScanner } from './json-body-scanner.js';
import type { RequestHeaders } from './json-request.util.js';

/** The parts of Express's request the inspection reads. */
export interface ExpressRequest extends IncomingMessage {
  originalUrl?: string;
  body?: unknown;
}

/**
 * Express: a middleware, registered on the adapter when the application is created (before the
 * body parsers that `app.init()` registers and any `app.use()` of the host), that reads the body
 * of a request `shouldInspect` picks in paused mode and gives it back to the stream with
 * `unshift()`, the stream API for returning data read ahead, so the parser reads it as if
 * untouched.
 */
export function expressBodyInspection(
  shouldInspect: (
    method: string | undefined,
    headers: RequestHeaders,
    path: () => string | undefined,
  ) => boolean,
) {
  return (request: ExpressRequest, _response: unknown, next: (error?: unknown) => void): void => {
    const path = () => decodedPath(request.originalUrl ?? request.url ?? '');
    if (!shouldInspect(request.method, request.headers, path)) {
      next();
      return;
    }
    const early = inspectHeaders(request.headers, MAX_JSON_BODY_BYTES);
    if (early !== undefined) {
      recordInspection(request, early);
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
      recordInspection(request, outcome === 'too-large' ? outcome : (scanner.problem ?? 'clean'));
      next();
    });
  };
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
