package dev.moa.localkafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real multi-node KRaft cluster on loopback: every node a combined broker + controller in its own
 * child JVM (like {@link LocalBroker}), all nodes voters of one controller quorum. Internal topics
 * (offsets, transactions) are replicated to every node and {@code min.insync.replicas} is 2, so
 * with three nodes any one may die without stopping writes. A node can be killed (SIGKILL) and
 * restarted on the same ports and data, as a crashed broker would be.
 */
public final class LocalCluster implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LocalCluster.class);

  /** The cluster-wide {@code min.insync.replicas}. */
  public static final int MIN_INSYNC_REPLICAS = 2;

  private final Path dataDir;
  private final List<Integer> clientPorts;
  private final List<Path> configs;
  private final Process[] processes;

  private LocalCluster(Path dataDir, List<Integer> clientPorts, List<Path> configs) {
    this.dataDir = dataDir;
    this.clientPorts = List.copyOf(clientPorts);
    this.configs = List.copyOf(configs);
    this.processes = new Process[clientPorts.size()];
  }

  /**
   * Formats and starts {@code nodes} nodes (ids 1..nodes, node i's files in {@code dataDir/node-i})
   * and waits until all of them serve metadata.
   */
  public static LocalCluster start(int nodes, Path dataDir, Duration startTimeout) {
    if (nodes < 3) {
      throw new IllegalArgumentException("nodes: " + nodes + " must be >= 3 (min.insync 2)");
    }
    try {
      Files.createDirectories(dataDir);
      List<Integer> clientPorts = new ArrayList<>();
      List<Integer> controllerPorts = new ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        clientPorts.add(LocalBroker.freePort());
        controllerPorts.add(LocalBroker.freePort());
      }
      String voters = voters(controllerPorts);
      String clusterId = LocalBroker.base64Uuid();
      List<Path> configs = new ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        Path nodeDir = dataDir.resolve("node-" + (i + 1));
        Files.createDirectories(nodeDir);
        Path props = nodeDir.resolve("server.properties");
        Files.writeString(
            props,
            serverProperties(
                i + 1,
                nodes,
                clientPorts.get(i),
                controllerPorts.get(i),
                voters,
                nodeDir.resolve("logs")));
        configs.add(props);
      }
      format(configs, clusterId);
      LocalCluster cluster = new LocalCluster(dataDir, clientPorts, configs);
      try {
        // All at once: no node is ready before a majority of the controller quorum runs.
        for (int i = 0; i < nodes; i++) {
          cluster.launch(i);
        }
        cluster.awaitNodes(Set.copyOf(cluster.nodeIds()), startTimeout);
      } catch (RuntimeException e) {
        cluster.close();
        throw e;
      }
      log.info("local Kafka cluster of {} nodes ready on {}", nodes, cluster.bootstrap());
      return cluster;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start a local cluster in " + dataDir + ": " + e, e);
    }
  }

  /** Formats every node's storage with one cluster id, the nodes in parallel (a JVM each). */
  private static void format(List<Path> configs, String clusterId) {
    List<java.util.concurrent.CompletableFuture<Void>> done = new ArrayList<>();
    for (Path props : configs) {
      done.add(
          java.util.concurrent.CompletableFuture.runAsync(
              () -> {
                try {
                  LocalBroker.run(
                      List.of(
                          "kafka.tools.StorageTool",
                          "format",
                          "-t",
                          clusterId,
                          "-c",
                          props.toString()),
                      props.getParent().resolve("broker.log"),
                      Duration.ofSeconds(120));
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              }));
    }
    try {
      java.util.concurrent.CompletableFuture.allOf(
              done.toArray(new java.util.concurrent.CompletableFuture[0]))
          .join();
    } catch (java.util.concurrent.CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  /** Every node's client address, comma-separated. */
  public String bootstrap() {
    return clientPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
  }

  public int size() {
    return clientPorts.size();
  }

  /** Node ids, 1..size. */
  public List<Integer> nodeIds() {
    List<Integer> ids = new ArrayList<>();
    for (int i = 1; i <= size(); i++) {
      ids.add(i);
    }
    return ids;
  }

  public Path dataDir() {
    return dataDir;
  }

  public long pid(int nodeId) {
    return process(nodeId).pid();
  }

  public boolean isAlive(int nodeId) {
    Process p = processes[index(nodeId)];
    return p != null && p.isAlive();
  }

  /** Kills a node with SIGKILL, as a crash would, and waits until the process is gone. */
  public void kill(int nodeId) {
    Process p = process(nodeId);
    p.destroyForcibly();
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Starts a stopped node again on its ports and data and waits until the cluster lists it among
   * its brokers.
   */
  public void restart(int nodeId, Duration timeout) {
    if (isAlive(nodeId)) {
      throw new IllegalStateException("node " + nodeId + " is still running");
    }
    try {
      launch(index(nodeId));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot restart node " + nodeId + ": " + e, e);
    }
    awaitNodes(Set.of(nodeId), timeout);
  }

  /** Stops every node with SIGTERM (controlled shutdown), all at once, and waits for them. */
  @Override
  public void close() {
    List<Thread> stopping = new ArrayList<>();
    for (Process p : processes) {
      if (p != null) {
        Thread t = new Thread(() -> ChildProcesses.terminate(p, Duration.ofSeconds(30)));
        t.start();
        stopping.add(t);
      }
    }
    for (Thread t : stopping) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private int index(int nodeId) {
    if (nodeId < 1 || nodeId > size()) {
      throw new IllegalArgumentException("node " + nodeId + " is not in 1.." + size());
    }
    return nodeId - 1;
  }

  private Process process(int nodeId) {
    Process p = processes[index(nodeId)];
    if (p == null) {
      throw new IllegalStateException("node " + nodeId + " was never started");
    }
    return p;
  }

  private Path logFile(int index) {
    return configs.get(index).getParent().resolve("broker.log");
  }

  private void launch(int index) throws IOException {
    List<String> cmd = LocalBroker.javaCommand();
    cmd.addAll(List.of(BrokerMain.class.getName(), configs.get(index).toString()));
    processes[index] =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(index).toFile()))
            .start();
  }

  /** Waits until the cluster's metadata lists every node of {@code ids} as a live broker. */
  private void awaitNodes(Set<Integer> ids, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
    try (Admin admin = Admin.create(props)) {
      while (System.nanoTime() < deadline) {
        for (int id : ids) {
          Process p = processes[index(id)];
          if (!p.isAlive()) {
            throw new IllegalStateException(
                "node "
                    + id
                    + " exited with code "
                    + p.exitValue()
                    + "; log tail:\n"
                    + LocalBroker.tail(logFile(index(id))));
          }
        }
        try {
          Set<Integer> live =
              admin
                  .describeCluster(new DescribeClusterOptions().timeoutMs(2000))
                  .nodes()
                  .get(3, TimeUnit.SECONDS)
                  .stream()
                  .map(Node::id)
                  .collect(Collectors.toSet());
          if (live.containsAll(ids)) {
            return;
          }
        } catch (Exception notYet) {
          // Nodes still starting: try again until the deadline.
        }
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for nodes " + ids, e);
        }
      }
    }
    throw new IllegalStateException(
        "nodes "
            + ids
            + " of the local cluster did not become ready within "
            + timeout
            + "; see "
            + dataDir);
  }

  static String voters(List<Integer> controllerPorts) {
    List<String> v = new ArrayList<>();
    for (int i = 0; i < controllerPorts.size(); i++) {
      v.add((i + 1) + "@127.0.0.1:" + controllerPorts.get(i));
    }
    return String.join(",", v);
  }

  static String serverProperties(
      int nodeId, int nodes, int clientPort, int controllerPort, String voters, Path logs) {
    String rf = Integer.toString(nodes);
    String minIsr = Integer.toString(MIN_INSYNC_REPLICAS);
    Map<String, String> p = new LinkedHashMap<>();
    p.put("process.roles", "broker,controller");
    p.put("node.id", Integer.toString(nodeId));
    p.put("controller.quorum.voters", voters);
    p.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + clientPort);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("log.dirs", logs.toString());
    p.put("num.partitions", "1");
    p.put("auto.create.topics.enable", "false");
    p.put("default.replication.factor", rf);
    p.put("min.insync.replicas", minIsr);
    p.put("unclean.leader.election.enable", "false");
    p.put("offsets.topic.replication.factor", rf);
    p.put("offsets.topic.num.partitions", "10");
    p.put("transaction.state.log.replication.factor", rf);
    p.put("transaction.state.log.min.isr", minIsr);
    p.put("transaction.state.log.num.partitions", "10");
    p.put("share.coordinator.state.topic.replication.factor", rf);
    p.put("share.coordinator.state.topic.min.isr", minIsr);
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
    StringBuilder sb = new StringBuilder("# written by MoA Pipeline's LocalCluster\n");
    p.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
    return sb.toString();
  }
}
