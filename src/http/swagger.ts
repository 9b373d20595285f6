import { createRequire } from 'node:module';
import type * as Swagger from '@nestjs/swagger';

/**
 * The `@nestjs/swagger` decorators that document the module's routes and bodies. Swagger is an
 * optional peer dependency: when the host has it, these are its own decorators and the routes
 * appear in the host's OpenAPI document; when it does not, they are no-ops and every route works
 * the same. Controllers and DTOs import their decorators from here, never from `@nestjs/swagger`.
 *
 * The package is loaded with `require()`, which Node 20.19+ applies to ES modules, so that the
 * decorators are ready when the classes are defined and the module graph has no top-level await
 * (a CommonJS host `require()`s this package). A runtime that cannot `require()` an ES module
 * (Jest's VM modules before Node 24.9) imports it instead, and the decorators given meanwhile are
 * applied, in their order, once it has loaded.
 */
type SwaggerPackage = typeof Swagger;

type AnyDecorator = (...target: unknown[]) => unknown;
type DecoratorFactory = (...options: unknown[]) => AnyDecorator;

/** `@nestjs/swagger` when the host has it, a promise of it when it must be imported, else null. */
function loadSwagger(): SwaggerPackage | Promise<SwaggerPackage> | null {
  const require = createRequire(import.meta.url);
  try {
    require.resolve('@nestjs/swagger');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return null;
    throw error;
  }
  try {
    return require('@nestjs/swagger') as SwaggerPackage;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_REQUIRE_ESM' || code === 'ERR_REQUIRE_ASYNC_MODULE') {
      return import('@nestjs/swagger');
    }
    throw error;
  }
}

const swagger = loadSwagger();

/** Decorations waiting for `@nestjs/swagger` to be imported. */
const pending: ((loaded: SwaggerPackage) => void)[] = [];
let imported: SwaggerPackage | undefined;
if (swagger instanceof Promise) {
  void swagger.then((loaded) => {
    imported = loaded;
    for (const decorate of pending.splice(0)) decorate(loaded);
  });
}

const noop: DecoratorFactory = () => () => undefined;

/** The decorator factory `name` of `@nestjs/swagger`, or one with the same signature. */
function decorator<N extends keyof SwaggerPackage>(name: N): SwaggerPackage[N] {
  if (swagger === null) return noop as SwaggerPackage[N];
  if (!(swagger instanceof Promise)) return swagger[name];
  const deferred: DecoratorFactory =
    (...options) =>
    (...target) => {
      const decorate = (loaded: SwaggerPackage) =>
        (loaded[name] as DecoratorFactory)(...options)(...target);
      if (imported) decorate(imported);
      else pending.push(decorate);
    };
  return deferred as SwaggerPackage[N];
}

export const ApiAcceptedResponse = decorator('ApiAcceptedResponse');
export const ApiBearerAuth = decorator('ApiBearerAuth');
export const ApiBody = decorator('ApiBody');
export const ApiCookieAuth = decorator('ApiCookieAuth');
export const ApiCreatedResponse = decorator('ApiCreatedResponse');
export const ApiHeader = decorator('ApiHeader');
export const ApiNoContentResponse = decorator('ApiNoContentResponse');
export const ApiOkResponse = decorator('ApiOkResponse');
export const ApiOperation = decorator('ApiOperation');
export const ApiParam = decorator('ApiParam');
export const ApiProperty = decorator('ApiProperty');
export const ApiPropertyOptional = decorator('ApiPropertyOptional');
export const ApiQuery = decorator('ApiQuery');
export const ApiResponse = decorator('ApiResponse');
export const ApiSecurity = decorator('ApiSecurity');
export const ApiTags = decorator('ApiTags');
