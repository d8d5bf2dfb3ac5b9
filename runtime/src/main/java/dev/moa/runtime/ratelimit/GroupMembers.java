package dev.moa.runtime.ratelimit;

import dev.moa.runtime.kafka.KafkaSettings;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many workers share a rate limit: the live members of a consumer group, asked of Kafka every
 * {@code refresh} (Admin describeConsumerGroups), divided by the consumers each worker runs
 * (rounding up). Until the first answer, and whenever Kafka cannot be asked, the last count stands
 * (initially 1).
 */
public final class GroupMembers implements IntSupplier, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(GroupMembers.class);

  private final AtomicInteger count = new AtomicInteger(1);
  private final Admin admin;
  private final String group;
  private final int consumersPerWorker;
  private final ScheduledExecutorService scheduler;

  /**
   * @param consumersPerWorker the consumer threads each worker runs (its members are divided by it,
   *     rounding up)
   */
  public GroupMembers(
      KafkaSettings settings, String group, int consumersPerWorker, Duration refresh) {
    this.admin = Admin.create(settings.common());
    this.group = group;
    this.consumersPerWorker = Math.max(1, consumersPerWorker);
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "moa-ratelimit-members");
              t.setDaemon(true);
              return t;
            });
    long ms = Math.max(100, refresh.toMillis());
    scheduler.scheduleWithFixedDelay(this::refresh, 0, ms, TimeUnit.MILLISECONDS);
  }

  /** A fixed count, for a known number of workers (or tests). */
  public static IntSupplier fixed(int members) {
    int m = Math.max(1, members);
    return () -> m;
  }

  @Override
  public int getAsInt() {
    return count.get();
  }

  private void refresh() {
    try {
      ConsumerGroupDescription d =
          admin
              .describeConsumerGroups(List.of(group))
              .describedGroups()
              .get(group)
              .get(10, TimeUnit.SECONDS);
      int members = d.members().size();
      int workers = Math.max(1, (members + consumersPerWorker - 1) / consumersPerWorker);
      int before = count.getAndSet(workers);
      if (before != workers) {
        log.info("rate budgets are shared by {} worker(s) of group {}", workers, group);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.debug("cannot count the members of group {}: {}", group, e.toString());
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    admin.close(Duration.ofSeconds(2));
  }
}
