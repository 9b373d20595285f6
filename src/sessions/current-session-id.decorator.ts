import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { contextRequest } from './session-context.js';

/**
 * The id of the session the request was made with (`undefined` where `SessionGuard` did not run),
 * as `SessionsService.list(memberId, currentSessionId)` and `revoke(memberId, sessionId)` take
 * it. Works in controllers, GraphQL resolvers and WebSocket gateways guarded by `SessionGuard`.
 */
export const CurrentSessionId = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | undefined =>
    contextRequest(context)?.otpSessionId,
);
