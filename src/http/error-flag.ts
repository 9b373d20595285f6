import type { Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';

/** The seed's success flag, set to `false` in the error bodies of a route. */
export type OtpErrorFlag = 'results' | 'registerUser';

/** Metadata key under which `@OtpRoutes()` records a controller's flag. */
export const OTP_ERROR_FLAG = 'nestjs-otp:error-flag';

/** One route of the module whose error bodies carry a flag other than `results`. */
export interface FlaggedRoute {
  method: string;
  /** The route's path below the module's prefix, with a leading slash and none trailing. */
  path: string;
  flag: OtpErrorFlag;
}

const segments = (path: unknown): string[] =>
  (Array.isArray(path) ? path : [path])
    .filter((part): part is string => typeof part === 'string')
    .flatMap((part) => part.split('/'))
    .filter((part) => part !== '');

/**
 * The routes of `controllers` declared with a flag other than `results`, read from the metadata
 * that `@Controller()`, the route decorators and `@OtpRoutes({ flag })` leave: so that the global
 * filter can answer a request refused before routing (its body not JSON, say) with the flag of
 * the route it was for.
 */
export function flaggedRoutes(controllers: Type[]): FlaggedRoute[] {
  const routes: FlaggedRoute[] = [];
  for (const controller of controllers) {
    const flag = Reflect.getMetadata(OTP_ERROR_FLAG, controller) as OtpErrorFlag | undefined;
    if (flag === undefined || flag === 'results') continue;
    const base = segments(Reflect.getMetadata(PATH_METADATA, controller));
    const prototype = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler = Object.getOwnPropertyDescriptor(prototype, name)?.value as unknown;
      if (typeof handler !== 'function' || name === 'constructor') continue;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (method === undefined) continue;
      const path = [...base, ...segments(Reflect.getMetadata(PATH_METADATA, handler))];
      routes.push({ method: RequestMethod[method], path: `/${path.join('/')}`, flag });
    }
  }
  return routes;
}
