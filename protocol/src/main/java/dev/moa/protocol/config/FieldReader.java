package dev.moa.protocol.config;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * Reads typed values out of a parsed YAML or JSON tree, collecting every problem as a {@link
 * ConfigError} that names the field's path and shows the bad value, e.g. {@code
 * layers[1].agents[0].temperature: 3.5 is outside 0..2}. One instance per document; a reader
 * reports and goes on, so a document's every error is found in one pass.
 *
 * <p>Readers return null for a value they refused (and recorded why) or, for the optional fields of
 * a mapping, for a field that is absent (nothing recorded). How a bad value appears in a message is
 * the reader's {@code show} function: {@link #show(JsonNode)} unless given another.
 */
public final class FieldReader {

  private final List<ConfigError> errors = new ArrayList<>();
  private final Function<JsonNode, String> show;

  /** A reader whose messages show values as {@link #show(JsonNode)} does. */
  public FieldReader() {
    this(FieldReader::show);
  }

  /**
   * @param show how a bad value appears in a message (called with null for a missing value)
   */
  public FieldReader(Function<JsonNode, String> show) {
    this.show = Objects.requireNonNull(show, "show");
  }

  // ---------------------------------------------------------------- errors

  /** Records an error at {@code path} ("" for the document itself). */
  public void error(String path, String message) {
    errors.add(new ConfigError(path, message));
  }

  /** The errors recorded so far, in order. */
  public List<ConfigError> errors() {
    return Collections.unmodifiableList(errors);
  }

  /** How many errors were recorded so far: compare before and after reading a part. */
  public int errorCount() {
    return errors.size();
  }

  /** The value as this reader's messages show it. */
  public String shown(JsonNode node) {
    return show.apply(node);
  }

  // ---------------------------------------------------------------- optional fields of a mapping

  /** A string field: null when absent (no error) or of another type (error). */
  public String string(JsonNode obj, String key, String parent) {
    JsonNode node = obj.get(key);
    if (absent(node)) {
      return null;
    }
    if (!node.isString()) {
      String hint = node.isValueNode() ? "; put the value in quotes" : "";
      error(join(parent, key), shown(node) + " is not a string" + hint);
      return null;
    }
    return node.stringValue();
  }

  /** A number field: null when absent (no error) or not a number (error). */
  public Double number(JsonNode obj, String key, String parent) {
    JsonNode node = obj.get(key);
    return absent(node) ? null : numberValue(node, join(parent, key), "");
  }

  /** A whole-number field ({@link #integerValue}): null when absent (no error) or bad (error). */
  public Long integer(JsonNode obj, String key, String parent) {
    JsonNode node = obj.get(key);
    return absent(node) ? null : integerValue(node, join(parent, key));
  }

  /** A boolean field: null when absent (no error) or of another type (error). */
  public Boolean bool(JsonNode obj, String key, String parent) {
    JsonNode node = obj.get(key);
    if (absent(node)) {
      return null;
    }
    if (!node.isBoolean()) {
      error(join(parent, key), shown(node) + " is not a boolean (true or false)");
      return null;
    }
    return node.booleanValue();
  }

  // ---------------------------------------------------------------- values

  /**
   * A number; otherwise null and {@code <path>: <value> is not a number<hint>}.
   *
   * @param hint appended to the message, e.g. {@code "; a temperature is 0..2"} (or "")
   */
  public Double numberValue(JsonNode node, String path, String hint) {
    if (node == null || !node.isNumber()) {
      error(path, shown(node) + " is not a number" + hint);
      return null;
    }
    return node.doubleValue();
  }

  /**
   * A whole number, written as one or not ({@code 3}, {@code 3.0}, {@code 3e2}), clamped to the
   * long range (callers check their own, smaller, range); otherwise null and {@code <path>: <value>
   * is not a whole number}.
   */
  public Long integerValue(JsonNode node, String path) {
    if (node == null || !node.isNumber()) {
      error(path, shown(node) + " is not a whole number");
      return null;
    }
    if (node.isIntegralNumber()) {
      BigInteger big = node.bigIntegerValue();
      if (big.bitLength() > 62) {
        return big.signum() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
      }
      return big.longValue();
    }
    double d = node.doubleValue();
    if (Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 1e15) {
      return (long) d;
    }
    error(path, shown(node) + " is not a whole number");
    return null;
  }

  /**
   * A whole number written as an integer ({@code 3}, not {@code 3.0}) in {@code min..max};
   * otherwise null and {@code <path>: <value> is not a whole number in <min>..<max>}.
   */
  public Long wholeIn(JsonNode node, String path, long min, long max) {
    if (node == null
        || !node.isIntegralNumber()
        || !node.canConvertToLong()
        || node.longValue() < min
        || node.longValue() > max) {
      error(path, shown(node) + " is not a whole number in " + min + ".." + max);
      return null;
    }
    return node.longValue();
  }

  /**
   * A string that is not blank; otherwise null and {@code <path>: <value> is not <what>}.
   *
   * @param what what the value should have been, e.g. {@code "a model name"}
   */
  public String text(JsonNode node, String path, String what) {
    if (node == null || !node.isString() || node.stringValue().isBlank()) {
      error(path, shown(node) + " is not " + what);
      return null;
    }
    return node.stringValue();
  }

  // ---------------------------------------------------------------- paths and values in messages

  /** Null, YAML/JSON null or missing: a field that was not given. */
  public static boolean absent(JsonNode node) {
    return node == null || node.isNull() || node.isMissingNode();
  }

  /** The path of {@code key} under {@code parent} ("" for the document). */
  public static String join(String parent, String key) {
    return parent.isEmpty() ? key : parent + "." + key;
  }

  /**
   * How a bad value appears in a config's messages: text {@linkplain #quote quoted}, {@code a
   * list}, {@code a mapping}, {@code null}, numbers and booleans as written.
   */
  public static String show(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return "null";
    }
    if (node.isString()) {
      return quote(node.stringValue());
    }
    if (node.isArray()) {
      return "a list";
    }
    if (node.isObject()) {
      return "a mapping";
    }
    return node.toString();
  }

  /** Text in double quotes, escaped, cut to 60 characters. */
  public static String quote(String value) {
    String shown = value.length() > 60 ? value.substring(0, 57) + "..." : value;
    return "\""
        + shown
            .replace("\\", "\\\\")
            .replace("\"", "\\\"")
            .replace("\n", "\\n")
            .replace("\t", "\\t")
        + "\"";
  }
}
