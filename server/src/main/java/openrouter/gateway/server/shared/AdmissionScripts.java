package openrouter.gateway.server.shared;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.ArrayList;
import java.util.List;

/**
 * The two scripts of a call's life in Redis: {@link #ADMIT} takes the caller's rate-limit
 * token, reads its budget's spend and takes a concurrency lease, all or nothing, in one round
 * trip; {@link #END} charges what the call cost and ends its lease in one round trip. Times
 * come from Redis's clock ({@code TIME}), so replicas' clocks do not matter.
 *
 * <p>The token bucket is ours rather than Bucket4j's Redis backend because the three checks
 * must be one atomic script (a refused call takes no token and holds no slot) and Bucket4j's
 * compare-and-swap costs two round trips on its own. Its arithmetic is Bucket4j's greedy
 * refill, which the in-memory buckets use: {@code N/period} adds a token every period/N, up to
 * N in hand, the fraction of a token carried exactly (integers, in milliseconds).
 */
final class AdmissionScripts {
  private AdmissionScripts() {}

  /**
   * KEYS: 1 the token bucket, 2 the caller's leases, 3.. the caller's spend, one key per day of
   * its budget's window. ARGV: 1 bucket capacity (0: no rate limit), 2 its refill period (ms),
   * 3 the caller's slot limit (0: no lease), 4 lease time (ms), 5 the lease's member, 6 the
   * budget in picodollars ('': no budget), 7 '1' to take the token and the lease, else only
   * check. Answers {code, retry (us), tokens left, spent / 1e9, spent % 1e9, each day's spend};
   * code 0 admitted, 1 rate limited, 2 budget spent, 3 the caller's slots are all held.
   */
  static final LuaScript ADMIT = new LuaScript("""
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      local capacity, period = tonumber(ARGV[1]), tonumber(ARGV[2])
      local tokens, last, err = 0, now, 0
      if capacity > 0 then
        local b = redis.call('HMGET', KEYS[1], 'tokens', 'last', 'err')
        if not b[1] then
          tokens = capacity
        else
          tokens, last, err = tonumber(b[1]), tonumber(b[2]), tonumber(b[3])
          local elapsed = now - last
          if elapsed >= period then
            tokens, last, err = capacity, now, 0
          elseif elapsed > 0 then
            local divided = capacity * elapsed + err
            local added = math.floor(divided / period)
            err = divided - added * period
            if err < 0 then added, err = added - 1, err + period end
            if err >= period then added, err = added + 1, err - period end
            tokens, last = tokens + added, now
            if tokens >= capacity then tokens, err = capacity, 0 end
          end
        end
        if tokens < 1 then
          return {1, math.ceil((period - err) * 1000 / capacity), 0, 0, 0}
        end
      end
      local hi, lo, days = 0, 0, {}
      if ARGV[6] ~= '' then
        for i = 3, #KEYS do
          local v = redis.call('GET', KEYS[i])
          days[i - 2] = v or false
          if v then
            local n = #v
            lo = lo + tonumber(string.sub(v, math.max(1, n - 8)))
            if n > 9 then hi = hi + tonumber(string.sub(v, 1, n - 9)) end
          end
        end
        local carry = math.floor(lo / 1000000000)
        hi, lo = hi + carry, lo - carry * 1000000000
        local b, n = ARGV[6], #ARGV[6]
        local bhi = 0
        if n > 9 then bhi = tonumber(string.sub(b, 1, n - 9)) end
        local blo = tonumber(string.sub(b, math.max(1, n - 8)))
        if hi > bhi or (hi == bhi and lo >= blo) then
          return {2, 0, 0, hi, lo, unpack(days)}
        end
      end
      local limit = tonumber(ARGV[3])
      if limit > 0 then
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
        if redis.call('ZCARD', KEYS[2]) >= limit then
          return {3, 0, 0, hi, lo, unpack(days)}
        end
      end
      if ARGV[7] == '1' then
        if capacity > 0 then
          redis.call('HSET', KEYS[1], 'tokens', tokens - 1, 'last', last, 'err', err)
          redis.call('PEXPIRE', KEYS[1], period)
        end
        if limit > 0 then
          redis.call('ZADD', KEYS[2], now + tonumber(ARGV[4]), ARGV[5])
          redis.call('PEXPIRE', KEYS[2], ARGV[4])
        end
      end
      return {0, 0, tokens - 1, hi, lo, unpack(days)}
      """, ScriptOutputType.MULTI);

  /**
   * KEYS: 1 the caller's spend today, 2 the caller's leases. ARGV: 1 picodollars to charge
   * ('0': none), 2 seconds to keep the day, 3 the lease to end ('': none). Answers the day's
   * total after the charge (a string: exact beyond 2^53), or nil with no charge.
   */
  static final LuaScript END = new LuaScript("""
      local total = false
      if ARGV[1] ~= '0' then
        redis.call('INCRBY', KEYS[1], ARGV[1])
        redis.call('EXPIRE', KEYS[1], ARGV[2])
        total = redis.call('GET', KEYS[1])
      end
      if ARGV[3] ~= '' then
        redis.call('ZREM', KEYS[2], ARGV[3])
      end
      return total
      """, ScriptOutputType.VALUE);

  static final int ADMITTED = 0;
  static final int RATE_LIMITED = 1;
  static final int BUDGET_SPENT = 2;
  static final int SLOTS_FULL = 3;

  /** What to check: a part with a zero limit (or no budget) is skipped. */
  record Request(String bucketKey, long capacity, long periodMs, String slotsKey, int slotLimit, long leaseMs,
      String member, List<String> dayKeys, String budgetPicodollars, boolean take) {}

  /** What {@link #ADMIT} answered; {@code days} holds each day's spend (null: none) when a budget was read. */
  record Answer(int code, long retryMicros, long tokensLeft, long spentPicodollars, List<String> days) {}

  static Answer admit(StatefulRedisConnection<String, String> redis, Request r) {
    List<String> keys = new ArrayList<>(List.of(r.bucketKey(), r.slotsKey()));
    keys.addAll(r.dayKeys());
    List<Object> a = ADMIT.run(redis, keys.toArray(String[]::new),
        Long.toString(r.capacity()), Long.toString(r.periodMs()), Integer.toString(r.slotLimit()),
        Long.toString(r.leaseMs()), r.member(), r.budgetPicodollars(), r.take() ? "1" : "0");
    List<String> days = new ArrayList<>();
    for (int i = 5; i < a.size(); i++) {
      days.add((String) a.get(i));
    }
    long spent = Math.addExact(Math.multiplyExact((Long) a.get(3), 1_000_000_000L), (Long) a.get(4));
    return new Answer(((Long) a.get(0)).intValue(), (Long) a.get(1), (Long) a.get(2), spent, days);
  }

  /** Charges {@code picodollars} (0: nothing) and ends {@code member}'s lease (null: none); the day's total, or null. */
  static String end(StatefulRedisConnection<String, String> redis, String dayKey, long picodollars, long keepSeconds,
      String slotsKey, String member) {
    return END.run(redis, new String[] {dayKey, slotsKey}, Long.toString(picodollars), Long.toString(keepSeconds),
        member == null ? "" : member);
  }
}
