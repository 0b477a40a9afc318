package openrouter.gateway.server.embeddings;

import static openrouter.gateway.server.testing.Requests.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Value;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import java.net.InetAddress;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import openrouter.gateway.simulator.SimulatorKeys;
import openrouter.gateway.server.testing.GatewayHarness;
import openrouter.gateway.v1.EmbedRequest;
import openrouter.gateway.v1.EmbedResponse;
import openrouter.gateway.v1.EmbeddingInput;
import openrouter.gateway.v1.EmbeddingMedia;
import openrouter.gateway.v1.EmbeddingPart;
import openrouter.gateway.v1.EmbeddingsServiceGrpc;
import openrouter.gateway.v1.MaxPrice;
import openrouter.gateway.v1.ProviderPreferences;
import openrouter.gateway.v1.ProviderSort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Embed against a MockWebServer: the exact request JSON OpenRouter receives (golden bodies),
 * base64 decoding against vectors computed independently, answers out of order, and answers
 * that cannot be matched to the inputs.
 */
class EmbeddingsUpstreamTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * Little-endian float32s 1.0, -2.5, the smallest subnormal and 0.1f, computed outside Java:
   * {@code base64.b64encode(struct.pack('<4f', 1.0, -2.5, 1.401298464324817e-45, 0.1))}.
   */
  private static final String KNOWN_VECTOR = "AACAPwAAIMABAAAAzczMPQ==";

  private MockWebServer upstream;
  private GatewayHarness h;

  @BeforeEach
  void start() throws Exception {
    upstream = new MockWebServer();
    upstream.start(InetAddress.getLoopbackAddress(), 0);
    h = GatewayHarness.inProcess().withUpstream(URI.create(upstream.url("/api/v1").toString()), SimulatorKeys.DEFAULT,
        "OPENROUTER_MAX_RETRIES", "0");
  }

  @AfterEach
  void stop() throws Exception {
    h.close();
    upstream.close();
  }

  private EmbedResponse embed(EmbedRequest request) {
    return EmbeddingsServiceGrpc.newBlockingStub(h.channel).withDeadlineAfter(20, TimeUnit.SECONDS).embed(request);
  }

  private void answer(String body) {
    upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(body).build());
  }

  private static String item(int index, String embedding) {
    return "{\"object\":\"embedding\",\"index\":" + index + ",\"embedding\":" + embedding + "}";
  }

  private void assertSent(RecordedRequest request, String expectedJson) throws Exception {
    assertThat(request.getUrl().encodedPath()).isEqualTo("/api/v1/embeddings");
    assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer " + SimulatorKeys.DEFAULT);
    assertThat(JSON.readTree(request.getBody().utf8())).isEqualTo(JSON.readTree(expectedJson));
  }

  @Test
  void everyFieldReachesTheUpstreamExactly() throws Exception {
    answer("{\"data\":[" + item(0, "\"" + KNOWN_VECTOR + "\"") + "," + item(1, "\"" + KNOWN_VECTOR + "\"")
        + "],\"model\":\"openai/text-embedding-3-small\",\"usage\":{\"prompt_tokens\":3,\"total_tokens\":3}}");
    embed(EmbedRequest.newBuilder()
        .setModel("openai/text-embedding-3-small")
        .addInputs(EmbeddingInput.newBuilder().setText("hello \"world\""))
        .addInputs(EmbeddingInput.newBuilder().setText("ünïcödé ✓"))
        .setDimensions(512)
        .setInputType("search_query")
        .setUser("user-42")
        .setProvider(ProviderPreferences.newBuilder()
            .addOrder("openai").addOrder("azure")
            .setAllowFallbacks(false)
            .setDataCollection("deny")
            .setZdr(true)
            .addIgnore("deepinfra")
            .setSort(ProviderSort.newBuilder().setBy("price"))
            .setPreferredMaxLatency(Value.newBuilder().setNumberValue(1.5))
            .setMaxPrice(MaxPrice.newBuilder().setPrompt("0.1")))
        .build());
    assertSent(upstream.takeRequest(), """
        {"model":"openai/text-embedding-3-small",
         "input":["hello \\"world\\"","ünïcödé ✓"],
         "encoding_format":"base64",
         "dimensions":512,
         "input_type":"search_query",
         "user":"user-42",
         "provider":{"order":["openai","azure"],"allow_fallbacks":false,"data_collection":"deny","zdr":true,
                     "ignore":["deepinfra"],"sort":"price","preferred_max_latency":1.5,
                     "max_price":{"prompt":"0.1"}}}
        """);
  }

  @Test
  void tokenArraysAndMultimodalPartsReachTheUpstreamExactly() throws Exception {
    answer("{\"data\":[" + item(0, "\"" + KNOWN_VECTOR + "\"") + "," + item(1, "\"" + KNOWN_VECTOR + "\"") + "]}");
    embed(EmbedRequest.newBuilder().setModel("m/tokens")
        .addInputs(EmbeddingInput.newBuilder().addTokens(101).addTokens(0).addTokens(-1))
        .addInputs(EmbeddingInput.newBuilder().addTokens(7))
        .build());
    assertSent(upstream.takeRequest(), """
        {"model":"m/tokens","input":[[101,0,-1],[7]],"encoding_format":"base64"}
        """);
    answer("{\"data\":[" + item(0, "\"" + KNOWN_VECTOR + "\"") + "]}");
    embed(EmbedRequest.newBuilder().setModel("m/multi")
        .addInputs(EmbeddingInput.newBuilder()
            .addParts(EmbeddingPart.newBuilder().setText("a cat"))
            .addParts(EmbeddingPart.newBuilder().setImageUrl("data:image/png;base64,iVBORw0K"))
            .addParts(EmbeddingPart.newBuilder().setInputAudio(EmbeddingMedia.newBuilder().setData("UklGRg==").setFormat("wav")))
            .addParts(EmbeddingPart.newBuilder().setInputVideo(EmbeddingMedia.newBuilder().setData("AAAA")))
            .addParts(EmbeddingPart.newBuilder().setInputFile(EmbeddingMedia.newBuilder().setData("JVBERi0=").setFormat("pdf"))))
        .build());
    assertSent(upstream.takeRequest(), """
        {"model":"m/multi","encoding_format":"base64","input":[{"content":[
          {"type":"text","text":"a cat"},
          {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0K"}},
          {"type":"input_audio","input_audio":{"data":"UklGRg==","format":"wav"}},
          {"type":"input_video","input_video":{"data":"AAAA"}},
          {"type":"input_file","input_file":{"data":"JVBERi0=","format":"pdf"}}]}]}
        """);
  }

  @Test
  void base64IsDecodedBitForBitAndUsageKeepsTheCostAsWritten() {
    answer("{\"id\":\"gen-emb-1\",\"object\":\"list\",\"model\":\"openai/text-embedding-3-small\",\"provider\":\"OpenAI\","
        + "\"data\":[" + item(0, "\"" + KNOWN_VECTOR + "\"") + "],"
        + "\"usage\":{\"prompt_tokens\":8,\"total_tokens\":8,\"cost\":0.0000002,\"is_byok\":true,"
        + "\"prompt_tokens_details\":{\"text_tokens\":6,\"image_tokens\":2}}}");
    EmbedResponse r = embed(EmbedRequest.newBuilder().setModel("openai/text-embedding-3-small")
        .addInputs(EmbeddingInput.newBuilder().setText("x")).build());
    assertThat(r.getEmbeddings(0).getValuesList()).extracting(Float::floatToRawIntBits)
        .containsExactly(0x3F800000, 0xC0200000, 0x00000001, 0x3DCCCCCD);
    assertThat(r.getModel()).isEqualTo("openai/text-embedding-3-small");
    assertThat(r.getProvider()).isEqualTo("OpenAI");
    assertThat(r.getId()).isEqualTo("gen-emb-1");
    assertThat(r.getUsage().getPromptTokens()).isEqualTo(8);
    assertThat(r.getUsage().getTotalTokens()).isEqualTo(8);
    assertThat(r.getUsage().getCost()).isEqualTo("0.0000002");
    assertThat(r.getUsage().getIsByok()).isTrue();
    assertThat(r.getUsage().getTextTokens()).isEqualTo(6);
    assertThat(r.getUsage().getImageTokens()).isEqualTo(2);
  }

  @Test
  void floatArraysFromAProviderThatIgnoredBase64AreTakenToo() {
    answer("{\"data\":[" + item(0, "[0.5,-0.25,1e-3]") + "]}");
    EmbedResponse r = embed(EmbedRequest.newBuilder().setModel("m/x").addInputs(EmbeddingInput.newBuilder().setText("x")).build());
    assertThat(r.getEmbeddings(0).getValuesList()).containsExactly(0.5f, -0.25f, 0.001f);
  }

  @Test
  void embeddingsAnsweredOutOfOrderArePutInInputOrder() {
    // Index 2 first, then 0, then 1; each vector's first value names its index.
    answer("{\"data\":[" + item(2, "[2.0]") + "," + item(0, "[0.0]") + "," + item(1, "[1.0]") + "]}");
    EmbedResponse r = embed(EmbedRequest.newBuilder().setModel("m/x")
        .addInputs(EmbeddingInput.newBuilder().setText("a"))
        .addInputs(EmbeddingInput.newBuilder().setText("b"))
        .addInputs(EmbeddingInput.newBuilder().setText("c")).build());
    assertThat(r.getEmbeddingsList()).extracting(e -> e.getIndex()).containsExactly(0, 1, 2);
    assertThat(r.getEmbeddingsList()).extracting(e -> e.getValues(0)).containsExactly(0f, 1f, 2f);
  }

  @Test
  void answersThatCannotBeMatchedToTheInputsAreMalformed() {
    String[] bodies = {
        "{\"data\":[" + item(0, "[1.0]") + "]}", // one embedding for two inputs
        "{\"data\":[" + item(0, "[1.0]") + "," + item(0, "[1.0]") + "]}", // index repeated
        "{\"data\":[" + item(0, "[1.0]") + "," + item(5, "[1.0]") + "]}", // index out of range
        "{\"data\":[" + item(0, "\"AAAA!\"") + "," + item(1, "[1.0]") + "]}", // not base64
        "{\"data\":[" + item(0, "\"AAAAAAA=\"") + "," + item(1, "[1.0]") + "]}", // 5 bytes: not whole float32s
        "{\"object\":\"list\"}", // no data
    };
    for (String body : bodies) {
      answer(body);
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () ->
          embed(EmbedRequest.newBuilder().setModel("m/x")
              .addInputs(EmbeddingInput.newBuilder().setText("a"))
              .addInputs(EmbeddingInput.newBuilder().setText("b")).build()));
      assertThat(e).as(body).isNotNull();
      assertThat(e.getStatus().getCode()).as(body).isEqualTo(Code.UNAVAILABLE);
      assertThat(errorInfo(e).getReason()).as(body).isEqualTo("UPSTREAM_MALFORMED_RESPONSE");
    }
  }
}
