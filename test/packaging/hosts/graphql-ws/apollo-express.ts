/**
 * Apollo Server on Express 5 for `@nestjs/apollo`'s `ApolloDriver`. The driver loads the
 * `@as-integrations/express5` middleware for Express hosts; this repository does not install
 * that package (nor can the host, offline), so the host carries its equivalent: the middleware
 * below (`executeHTTPGraphQLRequest` with the same request, context and response) and a driver
 * that mounts it where `ApolloDriver` mounts the package's. A host with the package installed
 * uses `ApolloDriver` itself and neither of these.
 */
import { ApolloServer, type BaseContext, HeaderMap } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

type ContextFunction = (args: { req: Request; res: Response }) => Promise<BaseContext>;

/** What `expressMiddleware(server, { context })` of `@as-integrations/express5` does. */
export function expressMiddleware(
  server: ApolloServer<BaseContext>,
  options: { context?: ContextFunction } = {},
): RequestHandler {
  const context: ContextFunction = options.context ?? (async () => ({}));
  return (req: Request, res: Response, next: NextFunction) => {
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    server
      .executeHTTPGraphQLRequest({
        httpGraphQLRequest: {
          method: req.method.toUpperCase(),
          headers,
          search: new URL(req.originalUrl, 'http://localhost').search,
          body: req.body,
        },
        context: () => context({ req, res }),
      })
      .then(async (response) => {
        for (const [name, value] of response.headers) res.setHeader(name, value);
        res.status(response.status ?? 200);
        if (response.body.kind === 'complete') {
          res.send(response.body.string);
          return;
        }
        for await (const chunk of response.body.asyncIterator) res.write(chunk);
        res.end();
      })
      .catch(next);
  };
}

/** `ApolloDriver`, mounting the middleware above on Express as it mounts the package's. */
@Injectable()
export class ApolloExpressDriver extends ApolloDriver {
  protected override async registerExpress(
    options: ApolloDriverConfig,
    { preStartHook }: { preStartHook?: () => void } = {},
  ): Promise<void> {
    const { path = '/graphql', typeDefs, resolvers, schema } = options;
    const httpAdapter = this.httpAdapterHost.httpAdapter;
    httpAdapter.use(path, (req: Request, _res: Response, next: NextFunction) => {
      req.body = req.body ?? {};
      next();
    });
    const drain = ApolloServerPluginDrainHttpServer({ httpServer: httpAdapter.getHttpServer() });
    preStartHook?.();
    const server = new ApolloServer<BaseContext>({
      typeDefs,
      resolvers,
      schema,
      ...options,
      plugins: [...(options.plugins ?? []), drain],
    } as ConstructorParameters<typeof ApolloServer<BaseContext>>[0]);
    await server.start();
    httpAdapter
      .getInstance()
      .use(path, expressMiddleware(server, { context: options.context as ContextFunction }));
    this.apolloServer = server;
  }
}
