import type { ApolloDriverConfig } from '@nestjs/apollo';
import { UseGuards } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Field, GraphQLModule, ID, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { randomBytes } from 'node:crypto';
import { CurrentMember, type MemberView, Public, SessionGuard } from 'nestjs-otp';
import { signInWithCookie } from './support/cookie-sign-in.js';
import { bearer, signInByPhone } from './support/flows.js';
import { ExpressApolloDriver } from './support/graphql-host.js';
import { createTestApp, type TestApp, type TestAppOptions, US_E164 } from './support/test-app.js';

@ObjectType('Member')
class MemberObject {
  @Field(() => ID)
  id: string;

  @Field(() => String)
  email: string;

  @Field(() => String)
  phoneNumber: string;

  @Field(() => String)
  status: string;
}

/** A host's resolver, guarded as a whole, with one public query. */
@Resolver(() => MemberObject)
@UseGuards(SessionGuard)
class AccountResolver {
  @Query(() => MemberObject)
  me(@CurrentMember() member: MemberView): MemberView {
    return member;
  }

  @Query(() => ID)
  myId(@CurrentMember('id') id: string): string {
    return id;
  }

  @Public()
  @Query(() => String)
  ping(@CurrentMember() member: MemberView | undefined): string {
    return member ? 'pong, member' : 'pong';
  }
}

/** A resolver left to a global `SessionGuard`. */
@Resolver()
class GloballyGuardedResolver {
  @Query(() => String)
  secret(@CurrentMember('email') email: string): string {
    return `for ${email}`;
  }

  @Public()
  @Query(() => String)
  open(): string {
    return 'open';
  }
}

/**
 * A host with a code-first Apollo schema. `createTestApp` registers `OtpGlobalExceptionFilter`
 * app-wide, as the README advises hosts to: GraphQL errors must still reach Apollo.
 */
function graphqlApp(
  config: Partial<ApolloDriverConfig> = {},
  options: TestAppOptions = {},
): Promise<TestApp> {
  return createTestApp({
    ...options,
    imports: [
      GraphQLModule.forRoot<ApolloDriverConfig>({
        driver: ExpressApolloDriver,
        autoSchemaFile: true,
        graphiql: false,
        ...config,
      }),
    ],
    providers: [AccountResolver, ...(options.providers ?? [])],
  });
}

interface GraphqlError {
  message: string;
  extensions: Record<string, unknown>;
}

/** Posts a query; answers the HTTP status and the GraphQL body. */
async function query(
  t: TestApp,
  source: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; data: Record<string, unknown> | null; errors?: GraphqlError[] }> {
  const res = await t.http.post('/graphql').set(headers).send({ query: source });
  return { status: res.status, ...res.body };
}

describe('GraphQL resolvers behind SessionGuard', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await graphqlApp();
  });
  afterAll(() => t.close());

  it('lets a valid session through, and @CurrentMember() gives the member', async () => {
    const { sessionToken, member } = await signInByPhone(t);
    const res = await query(t, '{ me { id email phoneNumber status } myId }', bearer(sessionToken));
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      me: { id: member.id, email: member.email, phoneNumber: US_E164, status: 'approved' },
      myId: member.id,
    });
  });

  it.each([
    ['missing', {}],
    ['forged', bearer(randomBytes(32).toString('base64url'))],
  ])('refuses a %s session with extensions.code UNAUTHENTICATED', async (_label, headers) => {
    const res = await query(t, '{ me { id } }', headers);
    expect(res.data).toBeNull();
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]).toMatchObject({
      message: 'Sign in to continue.',
      path: ['me'],
      extensions: { code: 'UNAUTHENTICATED' },
    });
    expect(JSON.stringify(res.errors)).not.toMatch(/stacktrace|at .*\.ts/);
  });

  it('refuses a revoked session at once', async () => {
    const { sessionToken } = await signInByPhone(t);
    expect((await query(t, '{ myId }', bearer(sessionToken))).errors).toBeUndefined();
    await t.http.post('/auth/logout').set(bearer(sessionToken)).expect(204);
    const res = await query(t, '{ myId }', bearer(sessionToken));
    expect(res.data).toBeNull();
    expect(res.errors![0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('answers a @Public() query without a session', async () => {
    const res = await query(t, '{ ping }');
    expect(res).toMatchObject({ status: 200, data: { ping: 'pong' } });
    expect(res.errors).toBeUndefined();
  });

  it('refuses only the guarded fields of an operation that mixes both', async () => {
    const res = await query(t, '{ ping me { id } }');
    // `me` is non-null, so its refusal nulls the whole data.
    expect(
      res.errors!.map((error) => [error.extensions.code, (error as { path?: string[] }).path]),
    ).toEqual([['UNAUTHENTICATED', ['me']]]);
  });
});

describe('GraphQL with the session cookie', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await graphqlApp({}, { otp: { session: { cookie: { secure: false } } } });
  });
  afterAll(() => t.close());

  it('reads the session cookie of the request, with the CSRF header on a POST', async () => {
    const { cookie, member } = await signInWithCookie(t);
    const res = await query(t, '{ myId }', { Cookie: cookie, 'X-Requested-With': 'fetch' });
    expect(res.data).toEqual({ myId: member.id });

    const withoutHeader = await query(t, '{ myId }', { Cookie: cookie });
    expect(withoutHeader.data).toBeNull();
    expect(withoutHeader.errors![0].extensions.code).toBe('FORBIDDEN');
  });
});

describe('GraphQL with HTTP statuses kept', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await graphqlApp({ preserveHttpStatusForExecutionErrors: false });
  });
  afterAll(() => t.close());

  it('answers a refused operation with HTTP 401', async () => {
    const res = await query(t, '{ me { id } }');
    expect(res.status).toBe(401);
    expect(res.errors![0].extensions.code).toBe('UNAUTHENTICATED');
  });
});

describe('GraphQL behind a global SessionGuard', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await graphqlApp(
      {},
      {
        extras: { isGlobal: true },
        providers: [GloballyGuardedResolver, { provide: APP_GUARD, useClass: SessionGuard }],
      },
    );
  });
  afterAll(() => t.close());

  it('guards every resolver but the @Public() ones', async () => {
    expect(await query(t, '{ open }')).toMatchObject({ data: { open: 'open' } });
    const refused = await query(t, '{ secret }');
    expect(refused.errors![0].extensions.code).toBe('UNAUTHENTICATED');

    const { sessionToken, member } = await signInByPhone(t);
    const res = await query(t, '{ secret }', bearer(sessionToken));
    expect(res.data).toEqual({ secret: `for ${member.email}` });
  });
});
