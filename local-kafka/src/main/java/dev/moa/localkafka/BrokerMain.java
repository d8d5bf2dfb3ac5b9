package dev.moa.localkafka;

import java.io.IOException;
import java.io.InputStream;

/**
 * The child JVM's entry point: runs {@code kafka.Kafka} and exits when its parent goes away. The
 * parent holds the write end of our stdin; when it dies (even by SIGKILL) the pipe closes, we read
 * EOF and shut the broker down, so a killed CLI never leaves an orphan broker holding the data
 * directory's lock.
 */
public final class BrokerMain {

  private BrokerMain() {}

  public static void main(String[] args) throws Exception {
    Thread watch =
        new Thread(
            () -> {
              try (InputStream in = System.in) {
                byte[] buf = new byte[256];
                while (in.read(buf) >= 0) {
                  // The parent never writes; anything read is ignored.
                }
              } catch (IOException e) {
                // A broken pipe means the same as EOF: the parent is gone.
              }
              System.err.println("moa: parent process gone, stopping the broker");
              System.exit(0);
            },
            "moa-parent-watch");
    watch.setDaemon(true);
    watch.start();
    kafka.Kafka.main(args);
  }
}
