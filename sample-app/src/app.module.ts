import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OtpModule, otpConfig } from 'nestjs-otp';
import { MembersAreaController } from './members-area.controller.js';

const here = dirname(fileURLToPath(import.meta.url));

/** SQLite in `sample-app/data/` by default; PostgreSQL when `DATABASE_URL` is set. */
function database(): TypeOrmModuleOptions {
  if (process.env.DATABASE_URL) {
    return {
      type: 'postgres',
      url: process.env.DATABASE_URL,
      autoLoadEntities: true,
      synchronize: true,
    };
  }
  const dataDir = process.env.SAMPLE_DATA_DIR ?? join(here, '..', 'data');
  mkdirSync(dataDir, { recursive: true });
  return {
    type: 'better-sqlite3',
    database: join(dataDir, 'sample.sqlite'),
    autoLoadEntities: true,
    synchronize: true,
  };
}

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    TypeOrmModule.forRoot(database()),
    OtpModule.forRootAsync({ ...otpConfig.asProvider(), isGlobal: true }),
  ],
  controllers: [MembersAreaController],
})
export class AppModule {}
