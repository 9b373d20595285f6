import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { contextRequest } from './session-context.js';
import type { AuthenticatedSession } from './sessions.service.js';

/**
 * The session the request was made with (`undefined` where `SessionGuard` did not run): its id,
 * member and expiry, and how it was proved: `amr` (the methods: `pwd`, `sms`, `tel`, `otp`,
 * `whatsapp`, `passkey`, `recovery`, `device`), `aal` (1 or 2) and `verifiedAt` (the last proof of
 * a phone, an app or a passkey, or `null`). Works in controllers, GraphQL resolvers and WebSocket
 * gateways guarded by `SessionGuard`.
 *
 * ```ts
 * @UseGuards(SessionGuard)
 * @Get('report')
 * report(@CurrentSession() session: AuthenticatedSession) {
 *   if (session.aal < 2) throw new ForbiddenException('Sign in with two factors to see this');
 * }
 * ```
 */
export const CurrentSession = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedSession | undefined =>
    contextRequest(context)?.otpSession,
);
