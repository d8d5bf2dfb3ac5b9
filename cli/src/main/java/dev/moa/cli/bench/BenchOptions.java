package dev.moa.cli.bench;

import dev.moa.cli.stack.LocalStack;
import picocli.CommandLine.Option;

/** The options the benchmarks share (a picocli mixin): the Kafka to use and the output form. */
final class BenchOptions {

  @Option(
      names = "--bootstrap",
      paramLabel = "HOST:PORT",
      description = "use this Kafka instead of starting a local broker")
  String bootstrap;

  @Option(names = "--json", description = "print one JSON object")
  boolean json;

  /** Progress lines on stderr; none with --json, whose one object is the whole output. */
  LocalStack.Status status() {
    return json ? LocalStack.Status.quiet() : LocalStack.Status.stderr();
  }
}
