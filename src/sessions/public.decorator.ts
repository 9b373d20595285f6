import { SetMetadata } from '@nestjs/common';
import { IS_PUBLIC_KEY } from '../otp.constants.js';

/** Opens a route (or every route of a controller) when `SessionGuard` is applied globally. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);
