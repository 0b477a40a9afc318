package openrouter.gateway.server.models;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import openrouter.gateway.server.cache.SnapshotCache;
import openrouter.gateway.server.credits.CreditsService;
import openrouter.gateway.server.credits.LowBalanceAlarm;
import openrouter.gateway.simulator.OpenRouterSimulator;
import openrouter.gateway.simulator.SimulatorKeys;
import openrouter.gateway.server.upstream.OpenRouterClient;
import openrouter.gateway.server.upstream.UpstreamTarget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The read-only state the detailed health report uses: what the catalogue and credits caches
 * hold for the gateway's key, read without calling OpenRouter. Real HTTP to the simulator.
 */
class HealthAccessorsTest {
  private OpenRouterSimulator simulator;
  private OpenRouterClient client;
  private ExecutorService executor;

  @BeforeEach
  void start() throws Exception {
    simulator = OpenRouterSimulator.start(0);
    client = new OpenRouterClient(new UpstreamTarget(URI.create(simulator.baseUrl()),
        Optional.of(SimulatorKeys.MANAGEMENT), true), Optional.empty(), "test", "test");
    executor = Executors.newCachedThreadPool();
  }

  @AfterEach
  void stop() {
    client.close();
    executor.shutdownNow();
    simulator.close();
  }

  private <V> SnapshotCache<V> cache(Duration minRefreshInterval) {
    return new SnapshotCache<>("test", Duration.ofMinutes(5), Duration.ofHours(1), minRefreshInterval, 10,
        executor, Clock.systemUTC(), Ticker.systemTicker());
  }

  @Test
  void catalogueHealthReportsWhatIsLoadedWithoutReadingIt() {
    ModelCatalog catalog = new ModelCatalog(client, cache(Duration.ofSeconds(10)));
    ModelCatalog.Health before = catalog.health();
    assertThat(before.loaded()).isFalse();
    assertThat(before.count()).isZero();
    assertThat(before.cacheAge()).isEmpty();
    assertThat(simulator.requestCount("/models")).as("health never reads").isZero();

    int size = catalog.snapshot(Optional.empty(), false).join().value().size();
    ModelCatalog.Health after = catalog.health();
    assertThat(after.loaded()).isTrue();
    assertThat(after.count()).isEqualTo(size).isPositive();
    assertThat(after.cacheAge()).get().matches(age -> age.compareTo(Duration.ofSeconds(5)) < 0);
    assertThat(after.stale()).isFalse();
    assertThat(simulator.requestCount("/models")).isEqualTo(1);
  }

  @Test
  void creditsHealthReportsTheBalanceAgainstTheThreshold() {
    CreditsService credits = new CreditsService(client, cache(Duration.ZERO), cache(Duration.ZERO),
        new LowBalanceAlarm(Optional.of(new BigDecimal("50"))));
    CreditsService.Health before = credits.health();
    assertThat(before.known()).isFalse();
    assertThat(before.aboveThreshold()).isFalse();
    assertThat(before.threshold()).contains(new BigDecimal("50"));
    assertThat(simulator.requestCount("/credits")).isZero();

    credits.balance(Optional.empty(), false).join();
    CreditsService.Health known = credits.health();
    assertThat(known.known()).isTrue();
    assertThat(known.remaining()).contains(new BigDecimal("74.75"));
    assertThat(known.aboveThreshold()).isTrue();
    assertThat(known.cacheAge()).isPresent();

    simulator.setCredits("100.5", "60");
    credits.balance(Optional.empty(), true).join();
    CreditsService.Health low = credits.health();
    assertThat(low.remaining()).contains(new BigDecimal("40.5"));
    assertThat(low.aboveThreshold()).isFalse();
  }
}
