package openrouter.gateway.server.credits;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import openrouter.gateway.server.cache.SnapshotCache;
import openrouter.gateway.simulator.OpenRouterSimulator;
import openrouter.gateway.simulator.SimulatorKeys;
import openrouter.gateway.server.upstream.OpenRouterClient;
import openrouter.gateway.server.upstream.UpstreamTarget;
import openrouter.gateway.v1.CreditsSource;
import openrouter.gateway.v1.GetKeyResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A caller-supplied key never sees figures cached for another key: the caches are keyed by
 * the key's fingerprint. Real HTTP to the simulator, which answers per key.
 */
class CreditsKeyIdentityTest {
  private OpenRouterSimulator simulator;
  private OpenRouterClient client;
  private ExecutorService executor;
  private CreditsService credits;

  @BeforeEach
  void start() throws Exception {
    simulator = OpenRouterSimulator.start(0);
    client = new OpenRouterClient(new UpstreamTarget(URI.create(simulator.baseUrl()),
        Optional.of(SimulatorKeys.DEFAULT), true), Optional.empty(), "test", "test");
    executor = Executors.newCachedThreadPool();
    credits = new CreditsService(client, cache(), cache(), new LowBalanceAlarm(Optional.empty()));
  }

  private <V> SnapshotCache<V> cache() {
    return new SnapshotCache<>("test", Duration.ofMinutes(5), Duration.ofHours(1), Duration.ofSeconds(10), 10,
        executor, Clock.systemUTC(), Ticker.systemTicker());
  }

  @AfterEach
  void stop() {
    client.close();
    executor.shutdownNow();
    simulator.close();
  }

  @Test
  void eachKeySeesItsOwnFigures() {
    CreditFigures gateways = credits.balance(Optional.empty(), false).join().read().value();
    CreditFigures callers = credits.balance(Optional.of(SimulatorKeys.MANAGEMENT), false).join().read().value();
    assertThat(gateways.source()).isEqualTo(CreditsSource.CREDITS_SOURCE_KEY_ENDPOINT);
    assertThat(callers.source()).as("not the gateway key's cached entry").isEqualTo(CreditsSource.CREDITS_SOURCE_CREDITS_ENDPOINT);

    GetKeyResponse gatewayKey = credits.keyInfo(Optional.empty(), false).join().value();
    GetKeyResponse callerKey = credits.keyInfo(Optional.of(SimulatorKeys.MANAGEMENT), false).join().value();
    assertThat(gatewayKey.getIsManagementKey()).isFalse();
    assertThat(callerKey.getIsManagementKey()).isTrue();
    assertThat(callerKey.getLabel()).isEqualTo("sk-or-v1-aaa...aaa").isNotEqualTo(gatewayKey.getLabel());

    // The caller's key went upstream as the caller's: /credits answered it.
    assertThat(simulator.requests()).filteredOn(r -> r.path().equals("/credits"))
        .extracting(r -> r.headers().get("authorization"))
        .containsExactly("Bearer " + SimulatorKeys.DEFAULT, "Bearer " + SimulatorKeys.MANAGEMENT);
  }
}
