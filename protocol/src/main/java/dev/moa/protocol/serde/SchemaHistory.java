package dev.moa.protocol.serde;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.message.SchemaStore;

/**
 * Schemas that earlier releases wrote, so today's readers can still resolve their records. When a
 * record's schema changes, its previous .avsc goes to {@code dev/moa/protocol/history/} and its
 * file name into {@code index.txt} there.
 */
public final class SchemaHistory {

  private static final String BASE = "/dev/moa/protocol/history/";

  private SchemaHistory() {}

  /**
   * A store holding the historical schemas of one record type. Avro does not compare record names
   * when it resolves a writer schema, so each type gets only its own history: another type's old
   * bytes must fail to decode, not be misread.
   */
  public static SchemaStore.Cache store(Schema current) {
    SchemaStore.Cache cache = new SchemaStore.Cache();
    for (Schema schema : shipped()) {
      if (schema.getFullName().equals(current.getFullName())) {
        cache.addSchema(schema);
      }
    }
    return cache;
  }

  static List<Schema> shipped() {
    List<Schema> schemas = new ArrayList<>();
    try (InputStream index = SchemaHistory.class.getResourceAsStream(BASE + "index.txt")) {
      if (index == null) {
        return schemas;
      }
      for (String line : new String(index.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String name = line.strip();
        if (name.isEmpty() || name.startsWith("#")) {
          continue;
        }
        try (InputStream in = SchemaHistory.class.getResourceAsStream(BASE + name)) {
          if (in == null) {
            throw new IllegalStateException("schema history lists missing file " + BASE + name);
          }
          schemas.add(new Schema.Parser().parse(in));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return schemas;
  }
}
