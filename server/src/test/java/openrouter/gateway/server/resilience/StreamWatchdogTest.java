package openrouter.gateway.server.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.base.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import openrouter.gateway.server.resilience.StreamWatchdog.Limit;
import org.junit.jupiter.api.Test;

/**
 * The time-to-first-token and idle limits, on a ticker the test moves by hand and with the
 * checks run by the test instead of the gateway's scheduler.
 */
class StreamWatchdogTest {
  private static final Duration TTFT = Duration.ofSeconds(10);
  private static final Duration IDLE = Duration.ofSeconds(3);

  private final ManualTicker ticker = new ManualTicker();
  private final StreamWatchdog watchdog = new StreamWatchdog(TTFT, IDLE, ticker);
  private final AtomicInteger closes = new AtomicInteger();

  @Test
  void noFirstTokenWithinTheLimitFiresTtftOnce() {
    StreamWatchdog.Watch watch = watchdog.watch(closes::incrementAndGet);

    ticker.advance(TTFT);
    watchdog.check();
    assertThat(watch.fired()).as("exactly at the limit is still in time").isNull();

    ticker.advance(Duration.ofNanos(1));
    watchdog.check();
    assertThat(watch.fired()).isEqualTo(Limit.TTFT);
    assertThat(closes).hasValue(1);
    assertThat(watch.limit(Limit.TTFT)).isEqualTo(TTFT);

    ticker.advance(TTFT);
    watchdog.check();
    assertThat(closes).as("a fired watch is not checked again").hasValue(1);
  }

  @Test
  void keepAliveProgressBeforeTheFirstTokenDoesNotResetTheTtftLimit() {
    StreamWatchdog.Watch watch = watchdog.watch(closes::incrementAndGet);
    for (int i = 0; i < 5; i++) {
      ticker.advance(Duration.ofSeconds(2));
      watch.progress(); // data events without a token (role-only deltas) still count against TTFT
      watchdog.check();
    }
    assertThat(watch.fired()).isNull();
    ticker.advance(Duration.ofSeconds(1));
    watchdog.check();
    assertThat(watch.fired()).isEqualTo(Limit.TTFT);
  }

  @Test
  void afterTheFirstTokenOnlyTheIdleGapCounts() {
    StreamWatchdog.Watch watch = watchdog.watch(closes::incrementAndGet);
    ticker.advance(Duration.ofSeconds(9));
    watch.firstToken();

    // Well past the TTFT limit in total, but never more than IDLE between chunks.
    for (int i = 0; i < 10; i++) {
      ticker.advance(IDLE);
      watchdog.check();
      assertThat(watch.fired()).isNull();
      watch.progress();
    }

    ticker.advance(IDLE.plusNanos(1));
    watchdog.check();
    assertThat(watch.fired()).isEqualTo(Limit.IDLE);
    assertThat(watch.limit(Limit.IDLE)).isEqualTo(IDLE);
    assertThat(closes).hasValue(1);
  }

  @Test
  void aPausedWatchNeverFiresAndResumeRestartsTheIdleClock() {
    StreamWatchdog.Watch watch = watchdog.watch(closes::incrementAndGet);
    watch.firstToken();
    watch.pause(); // the gateway waits for a slow caller, not for the upstream

    ticker.advance(Duration.ofMinutes(5));
    watchdog.check();
    assertThat(watch.fired()).isNull();

    watch.resume();
    ticker.advance(IDLE);
    watchdog.check();
    assertThat(watch.fired()).isNull();
    ticker.advance(Duration.ofNanos(1));
    watchdog.check();
    assertThat(watch.fired()).isEqualTo(Limit.IDLE);
  }

  @Test
  void aClosedWatchIsNoLongerChecked() {
    StreamWatchdog.Watch watch = watchdog.watch(closes::incrementAndGet);
    watch.close();
    ticker.advance(TTFT.multipliedBy(2));
    watchdog.check();
    assertThat(watch.fired()).isNull();
    assertThat(closes).hasValue(0);
  }

  @Test
  void eachWatchHasItsOwnStartAndFiresAlone() {
    AtomicInteger earlyCloses = new AtomicInteger();
    StreamWatchdog.Watch early = watchdog.watch(earlyCloses::incrementAndGet);
    ticker.advance(Duration.ofSeconds(6));
    StreamWatchdog.Watch late = watchdog.watch(closes::incrementAndGet);
    ticker.advance(Duration.ofSeconds(5));
    watchdog.check();
    assertThat(early.fired()).isEqualTo(Limit.TTFT);
    assertThat(earlyCloses).hasValue(1);
    assertThat(late.fired()).isNull();
    assertThat(closes).hasValue(0);
  }

  @Test
  void aZeroLimitIsOff() {
    StreamWatchdog off = new StreamWatchdog(Duration.ZERO, Duration.ZERO, ticker);
    StreamWatchdog.Watch waiting = off.watch(closes::incrementAndGet);
    StreamWatchdog.Watch streaming = off.watch(closes::incrementAndGet);
    streaming.firstToken();
    ticker.advance(Duration.ofDays(1));
    off.check();
    assertThat(waiting.fired()).isNull();
    assertThat(streaming.fired()).isNull();
    assertThat(closes).hasValue(0);
  }

  /** A ticker that moves only when told to. */
  private static final class ManualTicker extends Ticker {
    private long nanos = 1_000_000_000L;

    void advance(Duration d) {
      nanos += d.toNanos();
    }

    @Override
    public long read() {
      return nanos;
    }
  }
}
