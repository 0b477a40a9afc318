package openrouter.gateway.server.shared;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script run by its SHA1 ({@code EVALSHA}: the script's text crosses the network once),
 * and by its text ({@code EVAL}, which also stores it again) when Redis answers NOSCRIPT: a
 * restarted Redis, or {@code SCRIPT FLUSH}, has forgotten it.
 */
final class LuaScript {
  private final String text;
  private final String sha1;
  private final ScriptOutputType output;

  LuaScript(String text, ScriptOutputType output) {
    this.text = text;
    this.output = output;
    try {
      this.sha1 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-1", e);
    }
  }

  /** One round trip; two after a NOSCRIPT. */
  <T> T run(StatefulRedisConnection<String, String> redis, String[] keys, String... args) {
    try {
      return redis.sync().evalsha(sha1, output, keys, args);
    } catch (RedisCommandExecutionException e) { // RedisNoScriptException is one
      if (e.getMessage() == null || !e.getMessage().startsWith("NOSCRIPT")) {
        throw e;
      }
      return redis.sync().eval(text, output, keys, args);
    }
  }
}
