import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';

/**
 * `ApolloDriver` mounting Apollo Server on Express with `executeHTTPGraphQLRequest`, as the
 * `@as-integrations/express5` middleware does (the same request, context and response), so that
 * the tests need no Apollo integration package of their own.
 */
@Injectable()
export class ExpressApolloDriver extends ApolloDriver {
  protected override async registerExpress(options: ApolloDriverConfig): Promise<void> {
    const { path = '/graphql', typeDefs, resolvers, schema } = options;
    const server = new ApolloServer({
      typeDefs,
      resolvers,
      schema,
      ...options,
    } as ConstructorParameters<typeof ApolloServer>[0]);
    await server.start();
    const context = options.context as (args: { req: Request; res: Response }) => Promise<object>;
    this.httpAdapterHost.httpAdapter
      .getInstance()
      .use(path, async (req: Request, res: Response, next: (error?: unknown) => void) => {
        try {
          const headers = new HeaderMap();
          for (const [name, value] of Object.entries(req.headers)) {
            if (value !== undefined)
              headers.set(name, Array.isArray(value) ? value.join(', ') : value);
          }
          const response = await server.executeHTTPGraphQLRequest({
            httpGraphQLRequest: {
              method: req.method.toUpperCase(),
              headers,
              search: new URL(req.originalUrl, 'http://localhost').search,
              body: req.body,
            },
            context: () => context({ req, res }),
          });
          for (const [name, value] of response.headers) res.setHeader(name, value);
          res.status(response.status ?? 200);
          if (response.body.kind === 'complete') {
            res.send(response.body.string);
            return;
          }
          for await (const chunk of response.body.asyncIterator) res.write(chunk);
          res.end();
        } catch (error) {
          next(error);
        }
      });
    this.apolloServer = server as typeof this.apolloServer;
  }
}
