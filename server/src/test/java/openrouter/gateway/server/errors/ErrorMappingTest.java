package openrouter.gateway.server.errors;

import static openrouter.gateway.server.testing.Requests.chat;
import static openrouter.gateway.server.testing.Requests.detail;
import static openrouter.gateway.server.testing.Requests.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.Help;
import com.google.rpc.QuotaFailure;
import com.google.rpc.ResourceInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import openrouter.gateway.server.testing.GatewayHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The error mapping table of docs/error-mapping.md, row by row, through a real channel against the
 * simulator's fault models, for both Chat and StreamChat. Retries are off so each row shows
 * the first attempt's mapping. {@link ErrorMappingHttp2Test} runs the table over h2c.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ErrorMappingTest {
  GatewayHarness h;

  /** Gateway settings on top of this class's; the HTTP/2 variant adds its own. */
  String[] settings() {
    return new String[0];
  }

  @BeforeAll
  void start() throws Exception {
    List<String> settings = new java.util.ArrayList<>(List.of("OPENROUTER_MAX_RETRIES", "0"));
    settings.addAll(List.of(settings()));
    h = GatewayHarness.inProcess().withSimulator(settings.toArray(String[]::new));
  }

  @AfterAll
  void stop() throws Exception {
    h.close();
  }

  /** One row: the model to call and what the status must hold. */
  record Row(String model, Code code, String reason, String domain, Map<String, String> metadata,
      Long retrySeconds, Class<? extends com.google.protobuf.Message> extraDetail, String messagePart) {
    @Override
    public String toString() {
      return model;
    }
  }

  private static final String OR = "openrouter.ai";
  private static final String GW = "openrouter-grpc-gateway";

  static Stream<Arguments> rows() {
    return Stream.of(
        new Row("sim/error-400", Code.INVALID_ARGUMENT, "CONTEXT_LENGTH_EXCEEDED", OR,
            Map.of("httpStatus", "400", "openrouterErrorType", "context_length_exceeded"), null, BadRequest.class, "maximum context length"),
        new Row("sim/error-401", Code.INTERNAL, "UPSTREAM_KEY_REJECTED", OR, Map.of("httpStatus", "401"), null, null, "OPENROUTER_API_KEY"),
        new Row("sim/error-402", Code.FAILED_PRECONDITION, "INSUFFICIENT_CREDITS", OR, Map.of("httpStatus", "402"), null, Help.class, "Insufficient credits"),
        new Row("sim/error-403", Code.PERMISSION_DENIED, "MODERATION_FLAGGED", OR,
            Map.of("httpStatus", "403", "model", "sim/error-403"), null, null, "flagged"),
        new Row("sim/error-404", Code.NOT_FOUND, "NO_ENDPOINTS", OR, Map.of("httpStatus", "404", "availabilityCode", "no_endpoints"), null, ResourceInfo.class, "No endpoints"),
        new Row("sim/error-408", Code.DEADLINE_EXCEEDED, "UPSTREAM_TIMEOUT", OR, Map.of("httpStatus", "408"), null, null, "timed out"),
        new Row("sim/error-409", Code.ABORTED, "CONFLICT", OR, Map.of("httpStatus", "409"), null, null, "Conflict"),
        new Row("sim/error-413", Code.INVALID_ARGUMENT, "PAYLOAD_TOO_LARGE", OR, Map.of("httpStatus", "413"), null, null, "too large"),
        new Row("sim/error-422", Code.INVALID_ARGUMENT, "UNPROCESSABLE", OR, Map.of("httpStatus", "422"), null, null, "Unprocessable"),
        new Row("sim/error-429", Code.RESOURCE_EXHAUSTED, "RATE_LIMIT_EXCEEDED", OR, Map.of("httpStatus", "429", "retryDelayMs", "2000"), 2L, QuotaFailure.class, "Rate limit"),
        new Row("sim/error-429-availability", Code.RESOURCE_EXHAUSTED, "CAPACITY_EXHAUSTED", OR,
            Map.of("httpStatus", "429", "availabilityCode", "capacity_exhausted"), 40L, QuotaFailure.class, "capacity"),
        new Row("sim/error-500", Code.INTERNAL, "UPSTREAM_INTERNAL_ERROR", OR, Map.of("httpStatus", "500"), null, null, "Internal Server Error"),
        new Row("sim/error-502", Code.UNAVAILABLE, "PROVIDER_UNAVAILABLE", OR, Map.of("httpStatus", "502", "providerName", "Simulator"), null, null, "[Simulator] upstream model overloaded"),
        new Row("sim/error-503", Code.UNAVAILABLE, "PROVIDER_OVERLOADED", OR, Map.of("httpStatus", "503"), 1L, null, "temporarily unavailable"),
        new Row("sim/error-504", Code.DEADLINE_EXCEEDED, "UPSTREAM_TIMEOUT", OR, Map.of("httpStatus", "504"), null, null, "too long"),
        new Row("sim/error-524", Code.DEADLINE_EXCEEDED, "UPSTREAM_TIMEOUT", OR, Map.of("httpStatus", "524"), null, null, "error code: 524"),
        new Row("sim/error-529", Code.UNAVAILABLE, "PROVIDER_OVERLOADED", OR, Map.of("httpStatus", "529"), null, null, "Overloaded"),
        new Row("sim/error-in-200", Code.DEADLINE_EXCEEDED, "UPSTREAM_TIMEOUT", OR,
            Map.of("httpStatus", "524", "providerName", "Google AI Studio"), null, null, "[Google AI Studio] error code: 524"),
        new Row("sim/malformed", Code.UNAVAILABLE, "UPSTREAM_MALFORMED_RESPONSE", GW, Map.of(), null, null, "malformed"),
        new Row("sim/empty", Code.UNAVAILABLE, "UPSTREAM_MALFORMED_RESPONSE", GW, Map.of(), null, null, "no choices"),
        new Row("sim/no-such-model", Code.NOT_FOUND, "MODEL_NOT_FOUND", OR, Map.of("httpStatus", "400"), null, ResourceInfo.class, "sim/no-such-model")
    ).map(Arguments::of);
  }

  @ParameterizedTest(name = "Chat {0}")
  @MethodSource("rows")
  void unaryChat(Row row) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> h.chat().chat(chat(row.model(), "map my error")));
    check(row, e);
  }

  @ParameterizedTest(name = "StreamChat {0}")
  @MethodSource("rows")
  void streamChat(Row row) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> h.chat().streamChat(chat(row.model(), "map my error")).forEachRemaining(m -> { }));
    check(row, e);
  }

  static void check(Row row, StatusRuntimeException e) {
    assertThat(e).as("%s must fail", row.model()).isNotNull();
    assertThat(e.getStatus().getCode()).as("code").isEqualTo(row.code());
    ErrorInfo info = errorInfo(e);
    assertThat(info.getReason()).as("reason").isEqualTo(row.reason());
    assertThat(info.getDomain()).as("domain").isEqualTo(row.domain());
    assertThat(info.getMetadataMap()).as("metadata").containsAllEntriesOf(row.metadata());
    assertThat(info.getMetadataMap()).containsEntry("attempts", "1");
    assertThat(e.getStatus().getDescription()).as("message").containsIgnoringCase(row.messagePart());
    RetryInfo retry = detail(e, RetryInfo.class);
    if (row.retrySeconds() == null) {
      assertThat(retry).as("no RetryInfo").isNull();
    } else {
      assertThat(retry).as("RetryInfo").isNotNull();
      assertThat(retry.getRetryDelay().getSeconds()).isEqualTo(row.retrySeconds());
    }
    if (row.extraDetail() != null) {
      assertThat(detail(e, row.extraDetail())).as(row.extraDetail().getSimpleName()).isNotNull();
    }
    assertThat(e.getStatus().getDescription()).doesNotContain("sk-or-v1-");
  }
}
