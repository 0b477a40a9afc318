package openrouter.gateway.server.shared;

import io.lettuce.core.ScriptOutputType;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import openrouter.gateway.server.security.CallerSlots;
import openrouter.gateway.server.security.LocalCallerSlots;

/**
 * Callers' chat slots shared by every replica, as leases: one sorted set per caller, a member
 * per held slot scored by when its lease ends (Redis's own clock, so replicas' clocks do not
 * matter). The replica renews its leases every third of {@code GATEWAY_REDIS_LEASE_MS} while
 * the calls run; a replica that dies stops renewing and its slots come back when the leases
 * end. A lease that ended during an outage is not resurrected: the call goes on, uncounted.
 */
public final class RedisCallerSlots implements CallerSlots {
  /** KEYS[1] the caller's set; ARGV lease ms, member. Extends a lease still held. */
  private static final LuaScript RENEW = new LuaScript("""
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      local n = redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[1]), ARGV[2])
      redis.call('PEXPIRE', KEYS[1], ARGV[1])
      return n
      """, ScriptOutputType.INTEGER);

  private final SharedState state;
  private final LocalCallerSlots local = new LocalCallerSlots();
  private final String replica = UUID.randomUUID().toString();
  private final AtomicLong sequence = new AtomicLong();
  /** Held leases: member → the caller's set. */
  private final Map<String, String> held = new ConcurrentHashMap<>();

  public RedisCallerSlots(SharedState state) {
    this.state = state;
    long every = Math.max(30, state.leaseTime().toMillis() / 3);
    state.background().scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
  }

  @Override
  public Optional<Held> tryAcquire(String callerId, int limit) {
    String key = key(callerId);
    String member = newMember();
    return state.call("slot_acquire", redis -> {
      AdmissionScripts.Answer a = AdmissionScripts.admit(redis, new AdmissionScripts.Request(
          key, 0, 0, key, limit, leaseMs(), member, List.of(), "", true));
      if (a.code() != AdmissionScripts.ADMITTED) {
        return Optional.<Held>empty();
      }
      track(member, key);
      return Optional.<Held>of(() -> release(key, member));
    }, () -> local.tryAcquire(callerId, limit), false);
  }

  private void release(String key, String member) {
    forget(member);
    // Not released (Redis down): the lease ends by itself.
    state.bestEffort("slot_release", redis -> redis.sync().zrem(key, member));
  }

  /** The set of the caller's leases. */
  String key(String callerId) {
    return state.key("slots:" + callerId);
  }

  /** A lease's name, unique across replicas. */
  String newMember() {
    return replica + ":" + sequence.incrementAndGet();
  }

  long leaseMs() {
    return state.leaseTime().toMillis();
  }

  /** A lease taken in Redis: renewed until {@link #forget}. */
  void track(String member, String key) {
    held.put(member, key);
  }

  /** A lease ended (or left to end by itself): no longer renewed. */
  void forget(String member) {
    held.remove(member);
  }

  /** One of this replica's own slots, for while Redis is unreachable. */
  Optional<Held> tryAcquireLocally(String callerId, int limit) {
    return local.tryAcquire(callerId, limit);
  }

  private void renew() {
    String leaseMs = Long.toString(state.leaseTime().toMillis());
    for (Map.Entry<String, String> lease : held.entrySet()) {
      state.bestEffort("slot_renew", redis -> RENEW.<Long>run(redis, new String[] {lease.getValue()}, leaseMs, lease.getKey()));
    }
  }

  /** Leases this replica holds now. */
  public int held() {
    return held.size();
  }
}
