import type { ExecutionContext } from '@nestjs/common';
import { OtpException, reasonPhrase } from '../errors/otp.exception.js';
import { OtpErrorCode } from '../errors/otp-error-code.js';
import type { OtpRequest } from './session-request.interface.js';

/**
 * Where the guard and `@CurrentMember()` find the request outside plain HTTP. GraphQL and
 * WebSocket support stays optional for hosts: nothing here imports `@nestjs/graphql` or
 * `@nestjs/websockets` statically; GraphQL's arguments are read as `GqlExecutionContext` does,
 * and `@nestjs/websockets` is loaded only to refuse a WebSocket message.
 */

/** The GraphQL context value: the HTTP request under `req` (Apollo, or a host's context). */
interface GraphqlContextValue {
  req?: OtpRequest;
  request?: OtpRequest;
  reply?: { request?: OtpRequest };
  extra?: { request?: OtpRequest };
}

/** Upgrade requests of WebSocket connections, as given to a gateway's `handleConnection`. */
const handshakes = new WeakMap<object, OtpRequest>();

/** Remembers the upgrade request of a WebSocket connection, to read its token on each message. */
export function rememberHandshake(client: object, request: OtpRequest): void {
  handshakes.set(client, request);
}

/**
 * The request a non-HTTP context carries, or `undefined`: for GraphQL the HTTP request of the
 * context value (`req`; `request`, `reply.request` and graphql-ws's `extra.request` too); for a
 * WebSocket message the connection's upgrade request (remembered, or Socket.IO's
 * `client.request`).
 */
export function contextRequest(context: ExecutionContext): OtpRequest | undefined {
  const type = context.getType<string>();
  if (type === 'graphql') {
    // GqlExecutionContext: the arguments are [root, args, context, info].
    const value = context.getArgs()[2] as GraphqlContextValue | undefined;
    if (!value || typeof value !== 'object') return undefined;
    return value.req ?? value.request ?? value.reply?.request ?? value.extra?.request;
  }
  if (type === 'ws') {
    const client = context.switchToWs().getClient<{ request?: OtpRequest } | undefined>();
    if (!client || typeof client !== 'object') return undefined;
    return handshakes.get(client) ?? client.request;
  }
  return context.switchToHttp().getRequest<OtpRequest>();
}

/**
 * The refusal of a GraphQL operation: an `OtpException` whose `extensions` GraphQL servers copy
 * into the error (`code`, and `http.status`, which Apollo Server uses as the response status
 * unless told to keep 200).
 */
export function graphqlRefusal(code: OtpErrorCode): OtpException {
  const exception = new OtpException(code);
  return Object.assign(exception, {
    extensions: { code: exception.code, http: { status: exception.getStatus() } },
  });
}

/** The 401 `UNAUTHENTICATED` of a GraphQL operation (see `graphqlRefusal()`). */
export function graphqlUnauthenticated(): OtpException {
  return graphqlRefusal(OtpErrorCode.UNAUTHENTICATED);
}

/**
 * The body a WebSocket client receives with the `exception` event: the error body of HTTP
 * (`{ statusCode, error, code, message }`) with Nest's `status: 'error'`.
 */
export function wsRefusalBody(
  code: OtpErrorCode = OtpErrorCode.UNAUTHENTICATED,
): Record<string, string | number> {
  const exception = new OtpException(code);
  return {
    status: 'error',
    statusCode: exception.getStatus(),
    error: reasonPhrase(exception.getStatus()),
    code: exception.code,
    message: exception.message,
  };
}

type WsExceptionClass = new (error: object) => Error;
let wsException: Promise<WsExceptionClass> | undefined;

/** Rejects with a `WsException` carrying `wsRefusalBody(code)`, which the gateway sends to the client. */
export async function wsRefusal(code: OtpErrorCode): Promise<never> {
  wsException ??= import('@nestjs/websockets').then(
    (websockets) => websockets.WsException as WsExceptionClass,
  );
  const WsException = await wsException;
  throw new WsException(wsRefusalBody(code));
}

/** Rejects with the `WsException` of 401 `UNAUTHENTICATED` (see `wsRefusal()`). */
export function wsUnauthenticated(): Promise<never> {
  return wsRefusal(OtpErrorCode.UNAUTHENTICATED);
}

/** Close code of a WebSocket refused at its handshake (4401, as graphql-ws's Unauthorized). */
export const WS_UNAUTHENTICATED_CLOSE_CODE = 4401;

/** Close code of a WebSocket that could not be checked at its handshake: 1013, Try Again Later. */
export const WS_TRY_AGAIN_LATER_CLOSE_CODE = 1013;

interface ClosableClient {
  readyState?: number;
  close?: (code?: number, reason?: string) => void;
  disconnect?: (close?: boolean) => void;
  emit?: (event: string, payload: unknown) => unknown;
}

/**
 * Ends a connection refused at its handshake with `code`: a `ws` socket closes with 4401 for
 * `UNAUTHENTICATED`, 1013 for another code (`SERVICE_UNAVAILABLE`), the code as reason;
 * Socket.IO receives `wsRefusalBody(code)` as an `exception` event and is disconnected.
 */
export function closeRefused(client: object, code: OtpErrorCode): void {
  const socket = client as ClosableClient;
  if (typeof socket.readyState === 'number' && typeof socket.close === 'function') {
    socket.close(
      code === OtpErrorCode.UNAUTHENTICATED
        ? WS_UNAUTHENTICATED_CLOSE_CODE
        : WS_TRY_AGAIN_LATER_CLOSE_CODE,
      code,
    );
  } else if (typeof socket.disconnect === 'function') {
    socket.emit?.('exception', wsRefusalBody(code));
    socket.disconnect(true);
  }
}

/** Ends a connection that has no valid session: a `ws` socket closes with 4401, Socket.IO disconnects. */
export function closeUnauthenticated(client: object): void {
  closeRefused(client, OtpErrorCode.UNAUTHENTICATED);
}
