package dev.moa.testguard;

import java.security.Permission;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Unit tests (*Test, surefire) are pure JVM: this extension, auto-registered where the system
 * property {@value #TIER_PROPERTY} is {@code unit}, refuses every process start and fails the test
 * that tried, even when the code under test swallowed the refusal. Anything that needs a process
 * (broker, bwrap, a browser, python) is an *IT. Enforced through a SecurityManager, so on Java 17
 * to 23 only; later JVMs have none and run unit tests unguarded.
 */
public final class UnitTierGuard implements BeforeAllCallback, AfterEachCallback {

  /** Set to {@code unit} by surefire's configuration; failsafe leaves it unset. */
  public static final String TIER_PROPERTY = "moa.test.tier";

  private static final List<String> refused = new CopyOnWriteArrayList<>();
  private static boolean installed;

  @Override
  public void beforeAll(ExtensionContext context) {
    install();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (refused.isEmpty()) {
      return;
    }
    List<String> commands = List.copyOf(refused);
    refused.clear();
    throw new AssertionError(message(commands));
  }

  static String message(List<String> commands) {
    return "a unit test (*Test) started a process "
        + commands
        + ": unit tests are pure JVM; a test that needs a process is an integration test (*IT),"
        + " see docs/testing.md";
  }

  /** RocksDB (Kafka Streams' stores) runs {@code ldd} once to pick its native library. */
  private static boolean fromLibraryProbe() {
    return StackWalker.getInstance()
        .walk(frames -> frames.anyMatch(f -> f.getClassName().startsWith("org.rocksdb.")));
  }

  @SuppressWarnings("removal")
  private static synchronized void install() {
    if (installed || !"unit".equals(System.getProperty(TIER_PROPERTY))) {
      return;
    }
    installed = true;
    if (Runtime.version().feature() >= 24) {
      return;
    }
    System.setSecurityManager(
        new SecurityManager() {
          @Override
          public void checkPermission(Permission perm) {}

          @Override
          public void checkPermission(Permission perm, Object context) {}

          @Override
          public void checkExec(String cmd) {
            if (fromLibraryProbe()) {
              return;
            }
            refused.add(cmd);
            throw new SecurityException(message(List.of(cmd)));
          }
        });
  }
}
