package openrouter.gateway.tools.loadgen;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What one run measured: latency (for streams, until the last message), time to first chunk,
 * gaps between chunks, outcomes by status code, and the bytes of bodies drained unparsed.
 * Histograms are HdrHistogram in microseconds (3 significant digits, up to 10 minutes),
 * recorded wait-free from any thread.
 */
final class Stats {
  private static final long MAX_MICROS = 600_000_000L;

  final Histogram latency = new ConcurrentHistogram(MAX_MICROS, 3);
  final Histogram firstChunk = new ConcurrentHistogram(MAX_MICROS, 3);
  final Histogram chunkGap = new ConcurrentHistogram(MAX_MICROS, 3);
  private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
  final LongAdder chunks = new LongAdder();
  /** Response body bytes drained without parsing: direct responses, gRPC ListModels. */
  final LongAdder bytes = new LongAdder();
  /** CPU time the generator's own process used while measuring (-1: not known). */
  long generatorCpuNanos = -1;
  /** Open loop: the most requests in flight at once, warm-up included (0 in a closed loop). */
  int peakInFlight;

  void outcome(String code) {
    outcomes.computeIfAbsent(code, c -> new LongAdder()).increment();
  }

  Map<String, Long> outcomes() {
    Map<String, Long> out = new TreeMap<>();
    outcomes.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  long ok() {
    LongAdder a = outcomes.get("OK");
    return a == null ? 0 : a.sum();
  }

  long errors() {
    return outcomes().entrySet().stream().filter(e -> !e.getKey().equals("OK")).mapToLong(Map.Entry::getValue).sum();
  }

  /**
   * A chunk of a stream arrived: records its time to first chunk ({@code last == 0}) or its
   * gap since the previous one, and returns the arrival time, the stream's new {@code last}.
   */
  long chunkArrived(long start, long last) {
    long now = System.nanoTime();
    if (last == 0) {
      record(firstChunk, now - start);
    } else {
      record(chunkGap, now - last);
    }
    chunks.increment();
    return now;
  }

  static void record(Histogram h, long nanos) {
    h.recordValue(Math.max(0, Math.min(MAX_MICROS, nanos / 1000)));
  }
}
