package dev.moa.runtime.ratelimit;

import dev.moa.runtime.kafka.KafkaSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.SubscriptionPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many processes share each provider key's rate limits of a model (the account is {@code
 * Endpoint#limitKey}: the provider's name and a digest of its URL and key): every process that
 * calls a model (agent worker, aggregator, grader worker with a judge) joins the consumer group
 * {@code <prefix>.<account>.<model>} (Kafka's consumer group protocol, KIP-848, subscribed to a
 * pattern no topic matches: a member with nothing assigned), and the group's live members are the
 * count (Admin {@code describeConsumerGroups} every {@code refresh}). A process that has not called
 * a model for {@code idleLeave} leaves its group, so its share goes back to the others; it joins
 * again on its next call. A killed process stays counted until the broker's {@code
 * group.consumer.session.timeout.ms} (45 s by default): the others spend less meanwhile, never
 * more.
 *
 * <p>A model's first calls wait until its group has been counted with this process in it ({@link
 * #count} answers 0, "not yet", for up to {@link #FIRST_COUNT_WAIT}: a few hundred milliseconds
 * normally); a process alone would otherwise spend the whole limit at once while the others start
 * too. After that wait without an answer, the largest count known of this process's other models
 * stands in (the processes calling them are likely to call it too), else 1; whenever Kafka cannot
 * be asked the last count stands. Never blocks a caller: joins, polls, leaves and counts run on one
 * daemon thread.
 */
public final class ModelMembers implements RateBudgets.Members, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ModelMembers.class);
  private static final long TICK_MS = 200;

  /** The longest a model's first calls wait for its first count. */
  public static final Duration FIRST_COUNT_WAIT = Duration.ofSeconds(5);

  private static final String NO_TOPIC = "moa\\.ratelimit-members\\.none";

  private final KafkaSettings settings;
  private final String prefix;
  private final long refreshNanos;
  private final long idleLeaveNanos;
  private final LongSupplier nanoTime;
  private final Admin admin;
  private final ScheduledExecutorService thread;
  private final Map<String, Membership> memberships = new ConcurrentHashMap<>();
  private long lastCount;

  /**
   * @param prefix the consumer groups' prefix ({@code moa-ratelimit})
   * @param refresh how often the groups are counted
   * @param idleLeave how long without a call to a model before this process leaves its group
   */
  public ModelMembers(KafkaSettings settings, String prefix, Duration refresh, Duration idleLeave) {
    this(settings, prefix, refresh, idleLeave, System::nanoTime);
  }

  ModelMembers(
      KafkaSettings settings,
      String prefix,
      Duration refresh,
      Duration idleLeave,
      LongSupplier nanoTime) {
    this.settings = settings;
    this.prefix = prefix;
    this.refreshNanos = Math.max(100, refresh.toMillis()) * 1_000_000L;
    this.idleLeaveNanos = Math.max(1, idleLeave.toMillis()) * 1_000_000L;
    this.nanoTime = nanoTime;
    this.admin = Admin.create(settings.common());
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "moa-ratelimit-members");
              t.setDaemon(true);
              return t;
            });
    thread.scheduleWithFixedDelay(this::tick, 0, TICK_MS, TimeUnit.MILLISECONDS);
  }

  /** The consumer group of an account's model. */
  public String groupOf(String account, String model) {
    return prefix + "." + account + "." + model;
  }

  @Override
  public int count(String account, String model) {
    String group = groupOf(account, model);
    long now = nanoTime.getAsLong();
    Membership m = memberships.computeIfAbsent(group, g -> new Membership(g, now));
    m.lastUsed = now;
    if (!m.counted) {
      if (now - m.created < FIRST_COUNT_WAIT.toNanos()) {
        return 0;
      }
      m.count = guess();
      m.counted = true;
    }
    return m.count;
  }

  private int guess() {
    int best = 1;
    for (Membership m : memberships.values()) {
      if (m.counted) {
        best = Math.max(best, m.count);
      }
    }
    return best;
  }

  /** The groups this process is in now, for tests and logs. */
  public List<String> groups() {
    List<String> out = new ArrayList<>();
    for (Membership m : memberships.values()) {
      if (m.consumer != null) {
        out.add(m.group);
      }
    }
    return out;
  }

  private void tick() {
    try {
      long now = nanoTime.getAsLong();
      for (Membership m : memberships.values()) {
        if (now - m.lastUsed > idleLeaveNanos) {
          leave(m);
          memberships.remove(m.group, m);
          continue;
        }
        if (m.consumer == null) {
          join(m);
        }
        m.consumer.poll(Duration.ZERO);
      }
      boolean firstCountDue = false;
      for (Membership m : memberships.values()) {
        firstCountDue |= m.consumer != null && !m.counted;
      }
      if (firstCountDue || now - lastCount >= refreshNanos) {
        lastCount = now;
        countAll();
      }
    } catch (RuntimeException e) {
      log.debug("rate-limit membership tick failed: {}", e.toString());
    }
  }

  private void join(Membership m) {
    Map<String, Object> props = settings.consumer(m.group, false);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "moa-ratelimit-member");
    props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
    // The classic protocol's properties do not apply to the consumer protocol.
    props.remove(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG);
    props.remove(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG);
    props.remove(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG);
    KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props);
    // A pattern no topic matches: a member with nothing assigned, so nothing is ever fetched.
    c.subscribe(new SubscriptionPattern(NO_TOPIC));
    m.consumer = c;
    log.debug("joined {}", m.group);
  }

  private void leave(Membership m) {
    if (m.consumer != null) {
      try {
        m.consumer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        log.debug("leaving {}: {}", m.group, e.toString());
      }
      m.consumer = null;
      log.debug("left {}", m.group);
    }
  }

  private void countAll() {
    List<String> groups = new ArrayList<>(memberships.keySet());
    if (groups.isEmpty()) {
      return;
    }
    Map<String, org.apache.kafka.common.KafkaFuture<ConsumerGroupDescription>> described =
        admin.describeConsumerGroups(groups).describedGroups();
    for (var e : described.entrySet()) {
      Membership m = memberships.get(e.getKey());
      if (m == null || m.consumer == null) {
        continue;
      }
      try {
        ConsumerGroupDescription d = e.getValue().get(10, TimeUnit.SECONDS);
        String me = m.consumer.groupMetadata().memberId();
        if (!m.counted
            && d.members().stream().noneMatch(member -> member.consumerId().equals(me))) {
          continue; // still joining: a count without this process is not the first count
        }
        int members = Math.max(1, d.members().size());
        if (m.count != members || !m.counted) {
          log.info(
              "the rate limits of {} are shared by {} process(es)",
              e.getKey().substring(prefix.length() + 1),
              members);
        }
        m.count = members;
        m.counted = true;
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception ex) {
        log.debug("cannot count the members of {}: {}", e.getKey(), ex.toString());
      }
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    memberships.values().forEach(this::leave);
    admin.close(Duration.ofSeconds(5));
  }

  /**
   * One model's group; fields other than lastUsed and count are touched by the tick thread only.
   */
  private static final class Membership {
    final String group;
    final long created;
    volatile long lastUsed;
    volatile int count;
    volatile boolean counted;
    KafkaConsumer<byte[], byte[]> consumer;

    Membership(String group, long now) {
      this.group = group;
      this.count = 1;
      this.created = now;
      this.lastUsed = now;
    }
  }
}
