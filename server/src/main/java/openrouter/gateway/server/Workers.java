package openrouter.gateway.server;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads for upstream calls, which block on OkHttp's I/O for the life of a stream. On Java 21+
 * each call gets a virtual thread (cheap enough for tens of thousands of streams); on Java 17
 * a cached pool of platform threads with small stacks, bounded by
 * GATEWAY_MAX_CONCURRENT_STREAMS. The build targets 17, so virtual threads are found by
 * reflection.
 */
public final class Workers {
  private Workers() {}

  public static ExecutorService newExecutor() {
    try {
      Object executor = MethodHandles.publicLookup()
          .findStatic(Executors.class, "newVirtualThreadPerTaskExecutor", MethodType.methodType(ExecutorService.class))
          .invoke();
      return (ExecutorService) executor;
    } catch (Throwable notOnThisJvm) {
      return Executors.newCachedThreadPool(platformThreads());
    }
  }

  public static boolean virtualThreadsAvailable() {
    try {
      Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  private static ThreadFactory platformThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      // 256 KiB is plenty for a read loop and keeps 10,000 streams' stacks small.
      Thread t = new Thread(null, r, "upstream-" + n.incrementAndGet(), 256 * 1024);
      t.setDaemon(true);
      return t;
    };
  }
}
