package dev.moa.protocol.serde;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12 refuses to instantiate classes it has not been told to trust (a defence against gadget
 * classes named in hostile schemas). Our generated records are the only ones we trust.
 */
public final class AvroTrust {

  private static final String PACKAGE = "dev.moa.protocol.avro.";
  private static volatile boolean installed;

  private AvroTrust() {}

  /** Idempotent; call before generated records are copied or decoded. */
  public static void install() {
    if (installed) {
      return;
    }
    synchronized (AvroTrust.class) {
      if (!installed) {
        ClassSecurityValidator.setGlobal(
            ClassSecurityValidator.composite(
                ClassSecurityValidator.DEFAULT,
                c -> c.getName().startsWith(PACKAGE) && !c.getName().contains("$")));
        installed = true;
      }
    }
  }
}
