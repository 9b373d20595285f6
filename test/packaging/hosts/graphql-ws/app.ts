/**
 * A Nest 12 host with GraphQL (Apollo, code first) and WebSocket gateways (`ws`), compiled by
 * test/support/packed-host.ts against the packed package. Its members and sessions live on a
 * named TypeORM data source, `accounts`; the default data source holds the host's own table.
 * It signs in through the Twilio Verify emulator of `nestjs-otp/testing`.
 */
import { Controller, Get, type INestApplication, Module, Query } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import type { ApolloDriverConfig } from '@nestjs/apollo';
import { GraphQLModule } from '@nestjs/graphql';
import { WsAdapter } from '@nestjs/platform-ws';
import { InjectDataSource, TypeOrmModule } from '@nestjs/typeorm';
import { Column, DataSource, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { OtpGlobalExceptionFilter, OtpModule } from 'nestjs-otp';
import { TwilioVerifyEmulator } from 'nestjs-otp/testing';
import { AccountResolver } from './account.resolver.js';
import { ApolloExpressDriver } from './apollo-express.js';
import { LiveGateway, LobbyGateway } from './live.gateway.js';

/** The host's own entity, on its default data source. */
@Entity('host_notes')
export class HostNote {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column()
  text!: string;
}

const TABLES = `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`;

async function tablesOf(dataSource: DataSource): Promise<string[]> {
  const rows = (await dataSource.query(TABLES)) as Array<{ name: string }>;
  return rows.map((row) => row.name);
}

/** The host's own routes: the emulator's last code, and the tables of each data source. */
@Controller('host')
class HostController {
  constructor(
    private readonly emulator: TwilioVerifyEmulator,
    @InjectDataSource() private readonly defaultDataSource: DataSource,
    @InjectDataSource('accounts') private readonly accounts: DataSource,
  ) {}

  @Get('last-code')
  lastCode(@Query('to') to: string): { code: string | undefined } {
    return { code: this.emulator.lastCode(to) };
  }

  @Get('tables')
  async tables(): Promise<{ default: string[]; accounts: string[] }> {
    return {
      default: await tablesOf(this.defaultDataSource),
      accounts: await tablesOf(this.accounts),
    };
  }
}

@Module({})
class HostModule {}

/** The host app, with its emulator started and its gateways on the app's HTTP server. */
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
        TypeOrmModule.forRoot({
          name: 'accounts',
          type: 'better-sqlite3',
          database: ':memory:',
          autoLoadEntities: true,
          synchronize: true,
        }),
        TypeOrmModule.forFeature([HostNote]),
        OtpModule.forRoot({
          twilio: {
            accountSid: emulator.accountSid,
            authToken: emulator.authToken,
            verifyServiceSid: emulator.serviceSid,
            baseUrl: emulator.url,
          },
          mailDomain: 'example.com',
          dataSource: 'accounts',
        }),
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloExpressDriver,
          autoSchemaFile: true,
          graphiql: false,
        }),
      ],
      controllers: [HostController],
      providers: [
        { provide: TwilioVerifyEmulator, useValue: emulator },
        { provide: APP_FILTER, useClass: OtpGlobalExceptionFilter },
        AccountResolver,
        LiveGateway,
        LobbyGateway,
      ],
    },
    { logger: ['error', 'warn'] },
  );
  app.useWebSocketAdapter(new WsAdapter(app));
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
