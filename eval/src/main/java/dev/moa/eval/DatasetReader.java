package dev.moa.eval;

import dev.moa.protocol.prompt.Message;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads a JSONL dataset. One line is one sample:
 *
 * <pre>{@code {"id": "q1", "input": "..." | [{"role": "user", "content": "..."}], "target": any,
 *  "grader": {"type": "exact", ...options}, "metadata": {...}}}</pre>
 *
 * <p>Only {@code id} and {@code input} are required. Bad lines never stop the read: each is
 * collected with its line number and a reason naming the field and its bad value, so a caller can
 * list them all at once (and refuse the dataset, or skip them). Blank lines are ignored.
 */
public final class DatasetReader {

  static final Set<String> FIELDS = Set.of("id", "input", "target", "grader", "metadata");
  private static final String KNOWN_FIELDS = "id, input, target, grader, metadata";
  private static final Set<String> ROLES = Set.of("system", "user", "assistant");

  private final GraderValidator validator;

  public DatasetReader(GraderValidator validator) {
    this.validator = Objects.requireNonNull(validator, "validator");
  }

  /**
   * @param file a JSONL file (UTF-8)
   * @param defaultGrader the grader of lines without a {@code grader} field; null for none
   * @throws IOException when the file cannot be read (the message names the path)
   */
  public Dataset read(Path file, GraderRef defaultGrader) throws IOException {
    List<Sample> samples = new ArrayList<>();
    List<BadLine> bad = new ArrayList<>();
    Map<String, Integer> firstLineOfId = new HashMap<>();
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String text;
      int lineNo = 0;
      while ((text = reader.readLine()) != null) {
        lineNo++;
        if (lineNo == 1 && text.startsWith("\uFEFF")) {
          text = text.substring(1);
        }
        if (text.isBlank()) {
          continue;
        }
        LineResult r = readLine(text, lineNo, defaultGrader);
        if (r.id != null) {
          Integer first = firstLineOfId.putIfAbsent(r.id, lineNo);
          if (first != null) {
            r.problems.add(0, "duplicate id '" + r.id + "' (first on line " + first + ")");
          }
        }
        if (r.problems.isEmpty()) {
          samples.add(r.sample);
        } else {
          bad.add(new BadLine(lineNo, r.id, String.join("; ", r.problems)));
        }
      }
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "dataset file does not exist");
    } catch (IOException e) {
      throw new IOException("cannot read dataset " + file + ": " + e, e);
    }
    return new Dataset(file, samples, bad);
  }

  private static final class LineResult {
    final List<String> problems = new ArrayList<>();
    String id;
    Sample sample;
  }

  private LineResult readLine(String text, int lineNo, GraderRef defaultGrader) {
    LineResult r = new LineResult();
    JsonNode root;
    try {
      root = EvalJson.MAPPER.readTree(text);
    } catch (JacksonException e) {
      r.problems.add(
          "invalid JSON: " + EvalJson.parseError(e) + "; line: " + EvalJson.abbreviate(text));
      return r;
    }
    if (root == null || !root.isObject()) {
      r.problems.add(
          "line is not a JSON object, got " + EvalJson.typeOf(root) + ": " + EvalJson.show(root));
      return r;
    }
    for (String name : root.propertyNames()) {
      if (!FIELDS.contains(name)) {
        r.problems.add(
            "unknown field '"
                + name
                + "' = "
                + EvalJson.show(root.get(name))
                + " (known: "
                + KNOWN_FIELDS
                + ")");
      }
    }

    JsonNode id = root.get("id");
    if (id == null) {
      r.problems.add("missing field 'id'");
    } else if (!id.isString() || id.asString().isBlank()) {
      r.problems.add("field 'id' must be a non-empty string, got: " + EvalJson.show(id));
    } else {
      r.id = id.asString();
    }

    List<Message> messages = messages(root.get("input"), r.problems);

    JsonNode targetNode = root.get("target");
    String target = targetNode == null || targetNode.isNull() ? null : targetNode.toString();

    GraderRef grader = grader(root.get("grader"), defaultGrader, target, r.problems);

    JsonNode metadataNode = root.get("metadata");
    String metadata = "{}";
    if (metadataNode != null && !metadataNode.isNull()) {
      if (metadataNode.isObject()) {
        metadata = metadataNode.toString();
      } else {
        r.problems.add("field 'metadata' must be an object, got: " + EvalJson.show(metadataNode));
      }
    }

    if (r.problems.isEmpty()) {
      r.sample = new Sample(r.id, lineNo, messages, target, grader, metadata);
    }
    return r;
  }

  private static List<Message> messages(JsonNode input, List<String> problems) {
    if (input == null || input.isNull()) {
      problems.add("missing field 'input'");
      return List.of();
    }
    if (input.isString()) {
      if (input.asString().isBlank()) {
        problems.add("field 'input' must not be empty, got: " + EvalJson.show(input));
        return List.of();
      }
      return List.of(new Message("user", input.asString()));
    }
    if (!input.isArray()) {
      problems.add(
          "field 'input' must be a string or a list of {role, content} messages, got: "
              + EvalJson.show(input));
      return List.of();
    }
    if (input.isEmpty()) {
      problems.add("field 'input' must not be an empty list");
      return List.of();
    }
    List<Message> out = new ArrayList<>();
    int before = problems.size();
    for (int i = 0; i < input.size(); i++) {
      JsonNode m = input.get(i);
      String field = "input[" + i + "]";
      if (!m.isObject()) {
        problems.add(
            "field '" + field + "' must be a {role, content} object, got: " + EvalJson.show(m));
        continue;
      }
      for (String name : m.propertyNames()) {
        if (!name.equals("role") && !name.equals("content")) {
          problems.add(
              "unknown field '"
                  + field
                  + "."
                  + name
                  + "' = "
                  + EvalJson.show(m.get(name))
                  + " (known: role, content)");
        }
      }
      JsonNode role = m.get("role");
      JsonNode content = m.get("content");
      if (role == null || !role.isString() || !ROLES.contains(role.asString())) {
        problems.add(
            "field '"
                + field
                + ".role' must be one of system, user, assistant, got: "
                + (role == null ? "nothing" : EvalJson.show(role)));
      }
      if (content == null || !content.isString()) {
        problems.add(
            "field '"
                + field
                + ".content' must be a string, got: "
                + (content == null ? "nothing" : EvalJson.show(content)));
      }
      if (problems.size() == before) {
        out.add(new Message(role.asString(), content.asString()));
      }
    }
    return out;
  }

  private GraderRef grader(
      JsonNode node, GraderRef defaultGrader, String target, List<String> problems) {
    GraderRef ref;
    String source;
    if (node == null || node.isNull()) {
      if (defaultGrader == null) {
        return null;
      }
      ref = defaultGrader;
      source = "default grader '" + ref.type() + "'";
    } else if (!node.isObject()) {
      problems.add("field 'grader' must be an object with a 'type', got: " + EvalJson.show(node));
      return null;
    } else {
      JsonNode type = node.get("type");
      if (type == null) {
        problems.add("field 'grader' has no 'type': " + EvalJson.show(node));
        return null;
      }
      if (!type.isString() || type.asString().isBlank()) {
        problems.add("field 'grader.type' must be a non-empty string, got: " + EvalJson.show(type));
        return null;
      }
      ObjectNode options = ((ObjectNode) node).deepCopy();
      options.remove("type");
      ref = new GraderRef(type.asString(), options.toString());
      source = "field 'grader' (type '" + ref.type() + "')";
    }
    try {
      validator.validate(ref.type(), ref.optionsJson(), target);
    } catch (IllegalArgumentException e) {
      problems.add(source + ": " + e.getMessage());
      return null;
    }
    return ref;
  }
}
