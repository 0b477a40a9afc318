package openrouter.gateway.server.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's OpenTelemetry: the SDK configured only by the standard {@code OTEL_*}
 * variables (autoconfigure), with the gateway's defaults: {@code OTEL_TRACES_EXPORTER},
 * {@code OTEL_METRICS_EXPORTER} and {@code OTEL_LOGS_EXPORTER} {@code none} (tracing costs
 * nothing unless turned on) and {@code OTEL_SERVICE_NAME} {@code openrouter-grpc-gateway}.
 * Spans go through the SDK's BatchSpanProcessor: export is asynchronous and its queue bounded
 * ({@code OTEL_BSP_MAX_QUEUE_SIZE}); spans a dead collector never received are counted, both
 * those of failed exports and those the processor dropped because its queue was full.
 */
public final class Tracing implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Tracing.class);
  public static final String INSTRUMENTATION = "openrouter-grpc-gateway";
  private static final Map<String, String> DEFAULTS = Map.of(
      "otel.traces.exporter", "none",
      "otel.metrics.exporter", "none",
      "otel.logs.exporter", "none",
      "otel.service.name", "openrouter-grpc-gateway");

  private final OpenTelemetry openTelemetry;
  private final OpenTelemetrySdk sdk; // null when off
  private final Tracer tracer;
  private final LongAdder failedExportSpans;
  private final DroppedSpans droppedSpans;
  private final boolean on;

  private Tracing(OpenTelemetrySdk sdk, boolean on, LongAdder failedExportSpans, DroppedSpans droppedSpans) {
    this.sdk = sdk;
    this.openTelemetry = sdk == null ? OpenTelemetry.noop() : sdk;
    this.tracer = openTelemetry.getTracer(INSTRUMENTATION);
    this.on = on;
    this.failedExportSpans = failedExportSpans;
    this.droppedSpans = droppedSpans;
  }

  /** No tracing at all (nothing is built). */
  public static Tracing off() {
    return new Tracing(null, false, new LongAdder(), new DroppedSpans());
  }

  /** From the process environment, as {@code main} starts the gateway. */
  public static Tracing fromEnvironment() {
    return configure(Map.of()); // autoconfigure reads the environment itself
  }

  /**
   * Configures the SDK from {@code OTEL_*} settings given here (tests), the process's own
   * environment and system properties winning over them.
   */
  public static Tracing configure(Map<String, String> otelSettings) {
    Map<String, String> properties = new HashMap<>(DEFAULTS);
    otelSettings.forEach((k, v) -> {
      if (k.startsWith("OTEL_")) {
        properties.put(k.toLowerCase(Locale.ROOT).replace('_', '.'), v);
      }
    });
    LongAdder lost = new LongAdder();
    DroppedSpans dropped = new DroppedSpans();
    var resolved = new java.util.concurrent.atomic.AtomicReference<ConfigProperties>();
    AutoConfiguredOpenTelemetrySdk auto = AutoConfiguredOpenTelemetrySdk.builder()
        .addPropertiesSupplier(() -> properties)
        .addPropertiesCustomizer(config -> {
          resolved.set(config); // what the environment and the defaults resolved to
          return Map.of();
        })
        .addSpanExporterCustomizer((exporter, config) -> new CountingExporter(exporter, lost))
        // The BatchSpanProcessor counts the spans it drops on the SDK's meter provider (which
        // autoconfigure hands it); this reader is how the gateway reads that count.
        .addMeterProviderCustomizer((builder, config) -> builder.registerMetricReader(dropped))
        .disableShutdownHook() // the gateway closes it, after the last spans ended
        .build();
    OpenTelemetrySdk sdk = auto.getOpenTelemetrySdk();
    ConfigProperties config = resolved.get();
    String exporter = config.getString("otel.traces.exporter", "none");
    boolean on = !exporter.equals("none");
    if (on) {
      log.info("tracing on: OTEL_TRACES_EXPORTER={}, OTEL_SERVICE_NAME={}", exporter,
          config.getString("otel.service.name"));
    }
    return new Tracing(sdk, on, lost, dropped);
  }

  public boolean on() {
    return on;
  }

  public Tracer tracer() {
    return tracer;
  }

  public TextMapPropagator propagator() {
    return openTelemetry.getPropagators().getTextMapPropagator();
  }

  /**
   * Spans ended but never received by the collector: those of failed exports, and those the
   * BatchSpanProcessor dropped because its queue was full (or it had shut down).
   */
  public long lostSpans() {
    return failedExportSpans.sum() + droppedSpans.count();
  }

  /** Exports what is queued (bounded wait) and stops the SDK. */
  @Override
  public void close() {
    if (sdk != null) {
      sdk.getSdkTracerProvider().forceFlush().join(5, TimeUnit.SECONDS);
      droppedSpans.count(); // the last reading: the SDK's meters answer nothing once shut down
      sdk.shutdown().join(5, TimeUnit.SECONDS);
    }
  }

  /**
   * Reads the BatchSpanProcessor's own count of dropped spans from the SDK's meters: the
   * counter {@code processedSpans} with {@code dropped=true} (the SDK's default, "legacy"
   * internal telemetry) or {@code otel.sdk.processor.span.processed} with an {@code error.type}
   * (its semantic-convention telemetry, {@code OTEL_EXPERIMENTAL_SDK_TELEMETRY_VERSION}).
   * Cumulative; the highest reading is kept so the count never goes back after shutdown.
   */
  static final class DroppedSpans implements MetricReader {
    private static final AttributeKey<Boolean> DROPPED = AttributeKey.booleanKey("dropped");
    private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    private volatile CollectionRegistration registration = CollectionRegistration.noop();
    private long highest; // guarded by this

    @Override
    public void register(CollectionRegistration registration) {
      this.registration = registration;
    }

    synchronized long count() {
      long total = 0;
      for (MetricData metric : registration.collectAllMetrics()) {
        boolean legacy = metric.getName().equals("processedSpans");
        boolean semconv = metric.getName().equals("otel.sdk.processor.span.processed");
        if ((legacy || semconv) && metric.getType() == MetricDataType.LONG_SUM) {
          for (LongPointData point : metric.getLongSumData().getPoints()) {
            if (legacy ? Boolean.TRUE.equals(point.getAttributes().get(DROPPED))
                : point.getAttributes().get(ERROR_TYPE) != null) {
              total += point.getValue();
            }
          }
        }
      }
      highest = Math.max(highest, total);
      return highest;
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
      return AggregationTemporality.CUMULATIVE;
    }

    @Override
    public CompletableResultCode forceFlush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }

  /** Counts the spans of exports that failed (a dead or refusing collector). */
  private static final class CountingExporter implements SpanExporter {
    private final SpanExporter delegate;
    private final LongAdder lost;

    CountingExporter(SpanExporter delegate, LongAdder lost) {
      this.delegate = delegate;
      this.lost = lost;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      int n = spans.size();
      CompletableResultCode result = delegate.export(spans);
      result.whenComplete(() -> {
        if (!result.isSuccess()) {
          lost.add(n);
        }
      });
      return result;
    }

    @Override
    public CompletableResultCode flush() {
      return delegate.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
      return delegate.shutdown();
    }
  }
}
