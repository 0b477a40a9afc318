package openrouter.gateway.server.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import openrouter.gateway.server.spend.Budget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's callers, from {@code GATEWAY_API_KEYS_FILE}: one caller a line,
 *
 * <pre>
 * # caller-id   sha256-hex-of-its-key                                             [overrides]
 * search-team   9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08  chat=120/1m streams=20
 * </pre>
 *
 * <p>Overrides: {@code chat=}, {@code models=}, {@code credits=}, {@code embeddings=} (rate limits such as
 * {@code 30/1m}), {@code streams=} (chat calls in flight) and {@code budget=} (USD per whole
 * UTC days such as {@code 5/1d} or {@code 100/30d}, or {@code none}). Only hashes are stored, and a
 * presented key is compared with every entry in constant time. The file is re-read when its
 * content changes (checked at most once a second); a broken edit is logged and the previous
 * callers stay in force.
 */
public final class CallerRegistry {
  private static final Logger log = LoggerFactory.getLogger(CallerRegistry.class);
  private static final long CHECK_INTERVAL_NANOS = 1_000_000_000L;

  private record Entry(Caller caller, byte[] keyHash) {}

  private final Path file;
  private volatile List<Entry> entries;
  private volatile byte[] loadedContent;
  private volatile long nextCheckNanos;

  private CallerRegistry(Path file, byte[] content, List<Entry> entries) {
    this.file = file;
    this.loadedContent = content;
    this.entries = entries;
    this.nextCheckNanos = System.nanoTime() + CHECK_INTERVAL_NANOS;
  }

  /**
   * Reads the file; a missing or malformed file stops start-up with a clear message (the
   * exception's, which the bootstrap reports as a configuration error).
   *
   * @throws UncheckedIOException when the file cannot be read
   * @throws IllegalArgumentException when a line is malformed
   */
  public static CallerRegistry load(Path file) {
    byte[] content;
    try {
      content = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("GATEWAY_API_KEYS_FILE " + file + " cannot be read: " + e.getMessage(), e);
    }
    try {
      return new CallerRegistry(file, content, parse(content));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("GATEWAY_API_KEYS_FILE " + file + ": " + e.getMessage(), e);
    }
  }

  public int size() {
    return entries.size();
  }

  /** The caller whose key this is, comparing against every entry in constant time. */
  public Optional<Caller> authenticate(String presentedKey) {
    reloadIfChanged();
    byte[] hash = sha256(presentedKey);
    Caller found = null;
    for (Entry e : entries) {
      if (MessageDigest.isEqual(e.keyHash(), hash) && found == null) {
        found = e.caller();
      }
    }
    return Optional.ofNullable(found);
  }

  private void reloadIfChanged() {
    long now = System.nanoTime();
    if (now - nextCheckNanos < 0) {
      return;
    }
    synchronized (this) {
      if (now - nextCheckNanos < 0) {
        return;
      }
      nextCheckNanos = now + CHECK_INTERVAL_NANOS;
      try {
        byte[] content = Files.readAllBytes(file);
        if (Arrays.equals(content, loadedContent)) {
          return;
        }
        List<Entry> fresh = parse(content);
        entries = fresh;
        loadedContent = content;
        log.info("reloaded {}: {} callers", file, fresh.size());
      } catch (IOException | IllegalArgumentException e) {
        log.error("keeping the previous callers: cannot reload {}: {}", file, e.getMessage());
      }
    }
  }

  static List<Entry> parse(byte[] content) {
    List<Entry> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    String[] lines = new String(content, StandardCharsets.UTF_8).split("\r?\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      int hashMark = line.indexOf('#');
      if (hashMark >= 0) {
        line = line.substring(0, hashMark);
      }
      line = line.strip();
      if (line.isEmpty()) {
        continue;
      }
      String where = "line " + (i + 1) + ": ";
      String[] fields = line.split("\\s+");
      if (fields.length < 2) {
        throw new IllegalArgumentException(where + "expected \"caller-id sha256-of-key [chat=30/1m] [models=...] [credits=...] [embeddings=...] [streams=N] [budget=5/1d]\"");
      }
      String id = fields[0];
      if (!ids.add(id)) {
        throw new IllegalArgumentException(where + "caller id " + id + " appears twice");
      }
      String hex = fields[1].toLowerCase(Locale.ROOT);
      if (!hex.matches("[0-9a-f]{64}")) {
        throw new IllegalArgumentException(where + "the second field must be the SHA-256 of the key as 64 hex digits (e.g. from: printf %s \"$KEY\" | sha256sum)");
      }
      Map<MethodFamily, RateLimit> limits = new EnumMap<>(MethodFamily.class);
      OptionalInt streams = OptionalInt.empty();
      Optional<Caller.BudgetOverride> budget = Optional.empty();
      for (int f = 2; f < fields.length; f++) {
        String[] kv = fields[f].split("=", 2);
        if (kv.length != 2) {
          throw new IllegalArgumentException(where + "\"" + fields[f] + "\" is not name=value");
        }
        switch (kv[0]) {
          case "chat" -> limits.put(MethodFamily.CHAT, limit(kv[1], where));
          case "models" -> limits.put(MethodFamily.MODELS, limit(kv[1], where));
          case "credits" -> limits.put(MethodFamily.CREDITS, limit(kv[1], where));
          case "embeddings" -> limits.put(MethodFamily.EMBEDDINGS, limit(kv[1], where));
          case "streams" -> {
            try {
              int n = Integer.parseInt(kv[1]);
              if (n < 1) {
                throw new NumberFormatException();
              }
              streams = OptionalInt.of(n);
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException(where + "streams must be a positive whole number, got " + kv[1]);
            }
          }
          case "budget" -> {
            try {
              budget = Optional.of(new Caller.BudgetOverride(Budget.parse(kv[1])));
            } catch (IllegalArgumentException e) {
              throw new IllegalArgumentException(where + "budget: " + e.getMessage());
            }
          }
          default -> throw new IllegalArgumentException(where + "unknown setting " + kv[0] + " (use chat, models, credits, streams or budget)");
        }
      }
      out.add(new Entry(new Caller(id, limits, streams, budget), HexFormat.of().parseHex(hex)));
    }
    return List.copyOf(out);
  }

  private static RateLimit limit(String text, String where) {
    try {
      return RateLimit.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + e.getMessage());
    }
  }

  public static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JVM", e);
    }
  }
}
