package openrouter.gateway.server.config;

import static openrouter.gateway.server.config.GatewayConfig.HOST;
import static openrouter.gateway.server.config.GatewayConfig.PORT;

/** Where the gRPC server listens, whether it speaks TLS, and how it manages connections. */
public record ServerSettings(String host, int port, TlsSettings tls, ConnectionSettings connections) {

  static ServerSettings from(SettingValues v) {
    return new ServerSettings(
        v.text(HOST), (int) v.range(PORT, 0, 65535), TlsSettings.from(v), ConnectionSettings.from(v));
  }
}
