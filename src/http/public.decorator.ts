import { SetMetadata } from '@nestjs/common';
import { OTP_IS_PUBLIC_KEY } from '../otp.constants.js';

/**
 * Opens a route (or every route of a controller), a GraphQL resolver or a WebSocket message
 * handler (or every one of its class) when `SessionGuard` is applied to the whole class or
 * globally.
 */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(OTP_IS_PUBLIC_KEY, true);
