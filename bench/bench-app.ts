import {
  type CanActivate,
  Controller,
  type DynamicModule,
  type ExecutionContext,
  Get,
  Inject,
  Injectable,
  Module,
  Req,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import { TypeOrmModule, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import { ExtractJwt, Strategy } from 'passport-jwt';
import {
  CurrentMember,
  type MemberView,
  OtpGlobalExceptionFilter,
  OtpModule,
  SessionGuard,
} from 'nestjs-otp';
import type { BetterAuthPeer } from './peers.js';
import type { BenchAppConfig } from './protocol.js';

/** The id the unguarded route answers, as long as a member id, so every route's body is alike. */
const NOBODY = '00000000-0000-4000-8000-000000000000';
const JWT_SECRET = Symbol('JWT_SECRET');
const BETTER_AUTH = Symbol('BETTER_AUTH');

/**
 * The least a guard can do: let the request through with a fixed member. Not part of the
 * scenarios; it separates what Nest's guard machinery costs from what the module's guard does.
 */
@Injectable()
export class NoopGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    context.switchToHttp().getRequest<{ user?: unknown }>().user = { id: NOBODY };
    return true;
  }
}

/**
 * Steps between the no-op guard and `SessionGuard`, for the breakdown of scenario 7: a no-op
 * guard that reads the bearer header as any credential check must (on Fastify nothing else in a
 * GET reads the headers, so this is where Node builds `request.headers`), and one that also
 * answers synchronously and sets the two properties `SessionGuard` sets.
 */
@Injectable()
export class HeaderNoopGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined>; user?: unknown }>();
    if (!request.headers.authorization) throw new UnauthorizedException();
    request.user = { id: NOBODY };
    return true;
  }
}

/** The request as the synchronous guards below read and sign it in. */
interface SignedInRequest {
  headers: Record<string, string | undefined>;
  user?: unknown;
  otpSessionId?: string;
}

@Injectable()
export class ShapeNoopGuard implements CanActivate {
  private readonly member = {
    id: NOBODY,
    email: 'nobody@bench.example',
    phoneNumber: '+15005550006',
    status: 'active',
    createdAt: new Date(0),
  };

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<SignedInRequest>();
    if (!request.headers.authorization) throw new UnauthorizedException();
    request.user = this.member;
    request.otpSessionId = NOBODY;
    return true;
  }
}

/** The members of the seeded sessions by their raw tokens, for `FloorGuard`. */
const floorSessions = new Map<string, { id: string }>();

/** Makes `token` known to `FloorGuard` (called when sessions are seeded). */
export function rememberFloorSession(token: string, member: { id: string }): void {
  floorSessions.set(token, member);
}

/**
 * The least any stateful session check does: find the bearer token's member in memory. A
 * prebuilt `Map` from the raw token to the member, with no hashing, no expiry or status check
 * and no revocation. Not a guard to use (it keeps raw tokens); it measures what one lookup among
 * 10,000 sessions costs, which the module's guard cannot go below.
 */
@Injectable()
export class FloorGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<SignedInRequest>();
    const member = floorSessions.get(request.headers.authorization?.slice(7) ?? '');
    if (!member) throw new UnauthorizedException();
    request.user = member;
    request.otpSessionId = member.id;
    return true;
  }
}

/**
 * better-auth's session check as a Nest guard: `auth.api.getSession({ headers })`, with its
 * cookie cache off or (`cached`) on. A peer measured beside the module, not part of it.
 */
abstract class BetterAuthGuard implements CanActivate {
  protected abstract readonly cached: boolean;

  constructor(@Inject(BETTER_AUTH) private readonly peer: BetterAuthPeer | null) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string>; user?: unknown }>();
    const id = this.peer ? await this.peer.check(this.cached, request.headers) : null;
    if (!id) throw new UnauthorizedException();
    request.user = { id };
    return true;
  }
}

@Injectable()
class BetterAuthSessionGuard extends BetterAuthGuard {
  protected readonly cached = false;
}

@Injectable()
class BetterAuthCachedSessionGuard extends BetterAuthGuard {
  protected readonly cached = true;
}

/**
 * A small JSON route: open, behind a guard that does nothing, behind the module's
 * `SessionGuard`, behind better-auth's session check, and behind the passport-jwt guard a Nest
 * developer would otherwise write (the Nest docs' recipe); and the breakdown's steps between the
 * no-op guard and `SessionGuard`.
 */
@Controller('bench')
export class BenchController {
  @Get('bare')
  bare(): { id: string } {
    return { id: NOBODY };
  }

  @UseGuards(SessionGuard)
  @Get('guarded')
  guarded(@CurrentMember() member: MemberView): { id: string } {
    return { id: member.id };
  }

  @UseGuards(NoopGuard)
  @Get('noop')
  noop(@Req() request: { user: { id: string } }): { id: string } {
    return { id: request.user.id };
  }

  // The breakdown's steps (scenario 7): see HeaderNoopGuard.
  @UseGuards(HeaderNoopGuard)
  @Get('noop-header')
  noopHeader(@Req() request: { user: { id: string } }): { id: string } {
    return { id: request.user.id };
  }

  @UseGuards(ShapeNoopGuard)
  @Get('noop-shape')
  noopShape(@Req() request: { user: { id: string } }): { id: string } {
    return { id: request.user.id };
  }

  @UseGuards(FloorGuard)
  @Get('floor')
  floor(@Req() request: { user: { id: string } }): { id: string } {
    return { id: request.user.id };
  }

  @UseGuards(SessionGuard)
  @Get('guarded-req')
  guardedReq(@Req() request: { user: MemberView }): { id: string } {
    return { id: request.user.id };
  }

  @UseGuards(BetterAuthSessionGuard)
  @Get('betterauth')
  betterAuth(@Req() request: { user: { id: string } }): { id: string } {
    return { id: request.user.id };
  }

  @UseGuards(BetterAuthCachedSessionGuard)
  @Get('betterauth-cached')
  betterAuthCached(@Req() request: { user: { id: string } }): { id: string } {
    return { id: request.user.id };
  }

  @UseGuards(AuthGuard('jwt'))
  @Get('jwt')
  jwt(@Req() request: { user: { id: string } }): { id: string } {
    return { id: request.user.id };
  }
}

/** The passport-jwt strategy of the Nest documentation: a signed, stateless bearer token. */
@Injectable()
class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(@Inject(JWT_SECRET) secret: string) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      ignoreExpiration: false,
      secretOrKey: secret,
    });
  }

  validate(payload: { sub: string }): { id: string } {
    return { id: payload.sub };
  }
}

function databaseOptions(config: BenchAppConfig): TypeOrmModuleOptions {
  const common = { autoLoadEntities: true, synchronize: true, retryAttempts: 0 } as const;
  if (config.database === 'sqlite') {
    return {
      ...common,
      type: 'better-sqlite3',
      database: config.sqliteFile!,
      enableWAL: config.sqliteWal === true,
    };
  }
  return {
    ...common,
    type: 'postgres',
    url: config.postgresUrl!,
    extra: { options: `-c search_path=${config.postgresSchema!}` },
  };
}

/**
 * Passkeys as a host on this machine turns them on: relying party `localhost`, the page's origin
 * `http://localhost:<port>` of the app's own port (the bench's requests go to 127.0.0.1; what the
 * module checks is the origin the authenticator writes into its client data).
 */
export function benchPasskeys(port: number) {
  return { rpId: 'localhost', rpName: 'nestjs-otp bench', origins: [`http://localhost:${port}`] };
}

/** The bench app: the module as a host would mount it, with the emulator as Twilio. */
@Module({})
export class BenchAppModule {
  static forRoot(
    config: BenchAppConfig,
    betterAuth: BetterAuthPeer | undefined,
    port: number,
  ): DynamicModule {
    return {
      module: BenchAppModule,
      imports: [
        TypeOrmModule.forRoot(databaseOptions(config)),
        OtpModule.forRoot({
          twilio: {
            accountSid: config.twilio.accountSid,
            authToken: config.twilio.authToken,
            verifyServiceSid: config.twilio.serviceSid,
            baseUrl: config.twilio.baseUrl,
          },
          mailDomain: 'bench.example',
          // Throughput runs send thousands of codes from one IP: the module's own abuse limits
          // would (rightly) refuse them.
          rateLimit: false,
          session: {
            ...(config.cacheTtlMs === undefined ? {} : { cacheTtlMs: config.cacheTtlMs }),
            ...(config.revocation ? { revocation: { channel: config.revocation } } : {}),
          },
          passkeys: benchPasskeys(port),
        }),
        PassportModule,
        JwtModule.register({ secret: config.jwtSecret, signOptions: { expiresIn: '12h' } }),
      ],
      controllers: [BenchController],
      providers: [
        { provide: JWT_SECRET, useValue: config.jwtSecret },
        { provide: BETTER_AUTH, useValue: betterAuth ?? null },
        JwtStrategy,
        { provide: APP_FILTER, useClass: OtpGlobalExceptionFilter },
      ],
    };
  }
}
