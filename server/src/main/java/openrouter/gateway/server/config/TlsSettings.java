package openrouter.gateway.server.config;

import static openrouter.gateway.server.config.GatewayConfig.TLS_CERT;
import static openrouter.gateway.server.config.GatewayConfig.TLS_CLIENT_CA;
import static openrouter.gateway.server.config.GatewayConfig.TLS_KEY;

import java.nio.file.Path;
import java.util.Optional;

/** TLS files; all empty means plaintext. {@code clientCa} present means mutual TLS. */
public record TlsSettings(Optional<Path> cert, Optional<Path> key, Optional<Path> clientCa) {
  public boolean enabled() {
    return cert.isPresent();
  }

  static TlsSettings from(SettingValues v) {
    Optional<Path> cert = v.readableFile(TLS_CERT);
    Optional<Path> key = v.readableFile(TLS_KEY);
    Optional<Path> clientCa = v.readableFile(TLS_CLIENT_CA);
    if (cert.isPresent() != key.isPresent()) {
      Setting missing = cert.isPresent() ? TLS_KEY : TLS_CERT;
      throw new ConfigException(
          missing.env() + " must be set too: TLS needs both GATEWAY_TLS_CERT and GATEWAY_TLS_KEY");
    }
    if (clientCa.isPresent() && cert.isEmpty()) {
      throw new ConfigException(
          "GATEWAY_TLS_CLIENT_CA needs GATEWAY_TLS_CERT and GATEWAY_TLS_KEY: mutual TLS is TLS"
              + " first");
    }
    return new TlsSettings(cert, key, clientCa);
  }
}
