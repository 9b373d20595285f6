/**
 * A Nest 12 host app as a user writes it, compiled by test/support/packed-host.ts against the
 * packed package, to ES modules or to CommonJS (the same source; the host's package.json decides).
 * It signs in through the Twilio Verify emulator of `nestjs-otp/testing`, on SQLite in memory.
 */
import {
  type CanActivate,
  Controller,
  Get,
  type INestApplication,
  Injectable,
  Module,
  Query,
  UseGuards,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CurrentMember, type MemberView, OtpModule, SessionGuard } from 'nestjs-otp';
import { TwilioVerifyEmulator } from 'nestjs-otp/testing';

/** The admin routes are mounted (so that they are documented) behind a guard that refuses all. */
@Injectable()
class DenyAll implements CanActivate {
  canActivate(): boolean {
    return false;
  }
}

/** The host's own routes: the emulator's last code (for the test), and a members-only route. */
@Controller('host')
class HostController {
  constructor(private readonly emulator: TwilioVerifyEmulator) {}

  @Get('last-code')
  lastCode(@Query('to') to: string): { code: string | undefined } {
    return { code: this.emulator.lastCode(to) };
  }

  @UseGuards(SessionGuard)
  @Get('me')
  me(@CurrentMember() member: MemberView): MemberView {
    return member;
  }
}

@Module({})
class HostModule {}

/** The host app, with its emulator started. */
export async function createHostApp(): Promise<INestApplication> {
  const emulator = await new TwilioVerifyEmulator().start();
  const app = await NestFactory.create(
    {
      module: HostModule,
      imports: [
        TypeOrmModule.forRoot({
          type: 'better-sqlite3',
          database: ':memory:',
          autoLoadEntities: true,
          synchronize: true,
        }),
        OtpModule.forRoot({
          twilio: {
            accountSid: emulator.accountSid,
            authToken: emulator.authToken,
            verifyServiceSid: emulator.serviceSid,
            baseUrl: emulator.url,
          },
          mailDomain: 'example.com',
          admin: { guard: DenyAll },
        }),
      ],
      controllers: [HostController],
      providers: [{ provide: TwilioVerifyEmulator, useValue: emulator }],
    },
    { logger: ['error', 'warn'] },
  );
  process.once('SIGTERM', () => {
    void app.close().then(() => emulator.stop());
  });
  return app;
}

/** Listens on a free port of 127.0.0.1 and announces it to the harness. */
export async function serve(app: INestApplication): Promise<void> {
  await app.listen(0, '127.0.0.1');
  process.stdout.write(`HOST_READY ${JSON.stringify({ url: await app.getUrl() })}\n`);
}
