package openrouter.gateway.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import openrouter.gateway.client.testing.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The load generator against a real gateway and the simulator behind it, briefly. */
class LoadGenTest {
  private static TestGateway gw;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() throws Exception {
    gw = TestGateway.start();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  private String run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit = LoadGen.run(args, new PrintStream(out, true, StandardCharsets.UTF_8));
    assertThat(exit).isZero();
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void closedLoopStopsAtTheRequestCountAndReportsEveryOutcome() throws Exception {
    Path json = dir.resolve("unary.json");
    int before = gw.simulator.requestCount("/chat/completions");
    String table = run("--target", gw.target(), "--scenario", "unary", "--concurrency", "4", "--requests", "40",
        "--warmup", "0", "--duration", "20", "--json", json.toString());
    assertThat(table).contains("ok 40, errors 0").contains("p99");
    assertThat(gw.simulator.requestCount("/chat/completions") - before).isEqualTo(40);
    String result = Files.readString(json);
    assertThat(result).contains("\"ok\":40").contains("\"errors\":0").contains("\"latencyMs\":{\"p50\":");
  }

  @Test
  void streamsRecordFirstChunkAndGapsAndCountEveryChunk() throws Exception {
    Path json = dir.resolve("stream.json");
    run("--target", gw.target(), "--scenario", "stream", "--concurrency", "2", "--requests", "6", "--warmup", "0",
        "--duration", "20", "--chunks", "10", "--chunk-delay-ms", "5", "--json", json.toString());
    String result = Files.readString(json);
    assertThat(result).contains("\"ok\":6").contains("\"chunks\":60").contains("\"firstChunkMs\":{\"p50\":");
    assertThat(result).contains("\"count\":54"); // 9 gaps in each of 6 streams
  }

  @Test
  void directModeSendsTheSameRequestsStraightToTheUpstream() throws Exception {
    Path json = dir.resolve("direct.json");
    int before = gw.simulator.requestCount("/chat/completions");
    run("--direct", gw.simulator.baseUrl(), "--scenario", "stream", "--concurrency", "2", "--requests", "4",
        "--warmup", "0", "--duration", "20", "--chunks", "8", "--json", json.toString());
    assertThat(gw.simulator.requestCount("/chat/completions") - before).isEqualTo(4);
    assertThat(Files.readString(json)).contains("\"ok\":4").contains("\"chunks\":32");
  }

  @Test
  void modelsThroughTheGatewayAreDrainedUnparsed() throws Exception {
    Path json = dir.resolve("models.json");
    run("--target", gw.target(), "--scenario", "models", "--concurrency", "2", "--requests", "10", "--warmup", "0",
        "--duration", "20", "--json", json.toString());
    String result = Files.readString(json);
    assertThat(result).contains("\"ok\":10").contains("\"errors\":0");
    assertThat(number(result, "bodyBytes") / 10).isGreaterThan(1000);
  }

  @Test
  void openLoopOffersTheRateAndFailuresAreCountedByCode() throws Exception {
    Path json = dir.resolve("open.json");
    run("--target", gw.target(), "--scenario", "unary", "--model", "sim/error-503", "--rate", "50", "--requests", "20",
        "--warmup", "0", "--duration", "5", "--json", json.toString());
    assertThat(Files.readString(json)).contains("\"ok\":0").contains("\"UNAVAILABLE\":20");
  }

  private static long number(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":([0-9]+)").matcher(json);
    assertThat(m.find()).as(name).isTrue();
    return Long.parseLong(m.group(1));
  }
}
