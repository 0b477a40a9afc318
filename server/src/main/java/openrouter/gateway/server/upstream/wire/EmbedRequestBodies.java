package openrouter.gateway.server.upstream.wire;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import openrouter.gateway.v1.EmbedRequest;
import openrouter.gateway.v1.EmbeddingInput;
import openrouter.gateway.v1.EmbeddingMedia;
import openrouter.gateway.v1.EmbeddingPart;

/**
 * An Embed request as OpenRouter's {@code POST /embeddings} body (api reference §5.6). It
 * always asks for {@code encoding_format: "base64"}: little-endian float32s, a third of the
 * bytes of JSON numbers and exactly the floats the model produced.
 */
public final class EmbedRequestBodies {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private EmbedRequestBodies() {}

  /** The body for a validated request; {@code model} is the resolved model id. */
  public static OpenRouterBody body(EmbedRequest request, String model) {
    return new OpenRouterBody(toUpstreamBody(request, model));
  }

  static ObjectNode toUpstreamBody(EmbedRequest request, String model) {
    ObjectNode body = NODES.objectNode();
    body.put("model", model);
    ArrayNode input = body.putArray("input");
    for (EmbeddingInput in : request.getInputsList()) {
      if (!in.getText().isEmpty()) {
        input.add(in.getText());
      } else if (in.getTokensCount() > 0) {
        ArrayNode tokens = input.addArray();
        in.getTokensList().forEach(tokens::add);
      } else {
        ArrayNode content = input.addObject().putArray("content");
        in.getPartsList().forEach(p -> content.add(part(p)));
      }
    }
    body.put("encoding_format", "base64");
    if (request.getDimensions() > 0) {
      body.put("dimensions", request.getDimensions());
    }
    if (!request.getInputType().isEmpty()) {
      body.put("input_type", request.getInputType());
    }
    if (!request.getUser().isEmpty()) {
      body.put("user", request.getUser());
    }
    if (request.hasProvider()) {
      body.set("provider", ChatRequestBodies.provider(request.getProvider()));
    }
    return body;
  }

  private static ObjectNode part(EmbeddingPart p) {
    ObjectNode out = NODES.objectNode();
    switch (p.getPartCase()) {
      case TEXT -> out.put("type", "text").put("text", p.getText());
      case IMAGE_URL -> out.put("type", "image_url").putObject("image_url").put("url", p.getImageUrl());
      case INPUT_AUDIO -> media(out, "input_audio", p.getInputAudio());
      case INPUT_VIDEO -> media(out, "input_video", p.getInputVideo());
      case INPUT_FILE -> media(out, "input_file", p.getInputFile());
      case PART_NOT_SET -> throw new IllegalArgumentException("validated requests have no empty parts");
    }
    return out;
  }

  private static void media(ObjectNode out, String type, EmbeddingMedia media) {
    out.put("type", type);
    ObjectNode m = out.putObject(type);
    m.put("data", media.getData());
    if (!media.getFormat().isEmpty()) {
      m.put("format", media.getFormat());
    }
  }
}
