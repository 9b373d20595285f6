import type { ClientInfo } from './client-info.js';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/** The parts of an Express or Fastify request that describe its client. */
interface ClientRequest {
  ip?: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * The client of an HTTP request as the module's services take it: `ip` is the adapter's
 * `request.ip`, what `@Ip()` gives (so behind a proxy it follows the app's `trust proxy`
 * setting), `userAgent` the `User-Agent` header, what `@Headers('user-agent')` gives, and
 * `acceptLanguage` the `Accept-Language` header.
 */
export const CurrentClient = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ClientInfo => {
    const request = context.switchToHttp().getRequest<ClientRequest>();
    const language = request.headers['accept-language'];
    return {
      ip: request.ip,
      userAgent: request.headers['user-agent'] as string | undefined,
      acceptLanguage: Array.isArray(language) ? language.join(',') : language,
    };
  },
);
