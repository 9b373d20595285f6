import { Injectable, Module } from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';

/** `WsAdapter` on the app's own HTTP server, found when the first gateway is created. */
class AppServerWsAdapter extends WsAdapter {
  constructor(private readonly adapterHost: HttpAdapterHost) {
    super();
  }

  override create(port: number, options: Parameters<WsAdapter['create']>[1]) {
    // The server exists once the app is created, after this adapter (made at compile time).
    Object.assign(this, {
      httpServer: this.httpServer ?? this.adapterHost.httpAdapter.getHttpServer(),
    });
    return super.create(port, options);
  }
}

@Injectable()
class WsAdapterInstaller {
  constructor(config: ApplicationConfig, adapterHost: HttpAdapterHost) {
    config.setIoAdapter(new AppServerWsAdapter(adapterHost));
  }
}

/**
 * Makes the gateways of a test app speak plain WebSocket (`ws`) on the app's HTTP server, as
 * `app.useWebSocketAdapter(new WsAdapter(app))` before `init()` does in a host's `main.ts`.
 */
@Module({ providers: [WsAdapterInstaller] })
export class WsAdapterModule {}
