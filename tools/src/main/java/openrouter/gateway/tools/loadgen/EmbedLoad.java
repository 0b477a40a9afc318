package openrouter.gateway.tools.loadgen;

import openrouter.gateway.v1.EmbedRequest;
import openrouter.gateway.v1.EmbeddingInput;

/**
 * The Embed request of the embed scenario, and the body the gateway sends upstream for it, so
 * the direct leg measures the same upstream work.
 */
final class EmbedLoad {
  static final int INPUTS = 16;
  static final int DIMENSIONS = 1536;
  static final String MODEL = "sim/embed";

  private EmbedLoad() {}

  static String text(int i) {
    return "passage " + i + ": a retrieval service embeds short passages of about twenty words each,"
        + " in batches, many times a second";
  }

  static EmbedRequest request() {
    EmbedRequest.Builder b = EmbedRequest.newBuilder().setModel(MODEL).setDimensions(DIMENSIONS);
    for (int i = 0; i < INPUTS; i++) {
      b.addInputs(EmbeddingInput.newBuilder().setText(text(i)));
    }
    return b.build();
  }

  /** What the gateway's EmbedRequestBodies sends for {@link #request()}: texts, base64, dimensions. */
  static String directBody() {
    StringBuilder body = new StringBuilder("{\"model\":\"" + MODEL + "\",\"input\":[");
    for (int i = 0; i < INPUTS; i++) {
      body.append(i == 0 ? "" : ",").append('"').append(text(i)).append('"');
    }
    return body.append("],\"encoding_format\":\"base64\",\"dimensions\":").append(DIMENSIONS).append('}').toString();
  }
}
