package dev.moa.eval;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Reads answers produced elsewhere ({@code moa grade}): one {@code {"id": str, "answer": str}} per
 * line. Bad lines are collected, never thrown; blank lines are ignored.
 */
public final class AnswersReader {

  private AnswersReader() {}

  /**
   * @throws IOException when the file cannot be read (the message names the path)
   */
  public static Answers read(Path file) throws IOException {
    Map<String, String> byId = new LinkedHashMap<>();
    Map<String, Integer> firstLine = new HashMap<>();
    List<BadLine> bad = new ArrayList<>();
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
        JsonNode root;
        try {
          root = EvalJson.MAPPER.readTree(text);
        } catch (JacksonException e) {
          bad.add(
              new BadLine(
                  lineNo,
                  null,
                  "invalid JSON: "
                      + EvalJson.parseError(e)
                      + "; line: "
                      + EvalJson.abbreviate(text)));
          continue;
        }
        if (root == null || !root.isObject()) {
          bad.add(
              new BadLine(
                  lineNo,
                  null,
                  "line is not a JSON object, got "
                      + EvalJson.typeOf(root)
                      + ": "
                      + EvalJson.show(root)));
          continue;
        }
        List<String> problems = new ArrayList<>();
        for (String name : root.propertyNames()) {
          if (!name.equals("id") && !name.equals("answer")) {
            problems.add(
                "unknown field '"
                    + name
                    + "' = "
                    + EvalJson.show(root.get(name))
                    + " (known: id, answer)");
          }
        }
        JsonNode idNode = root.get("id");
        String id = null;
        if (idNode == null) {
          problems.add("missing field 'id'");
        } else if (!idNode.isString() || idNode.asString().isBlank()) {
          problems.add("field 'id' must be a non-empty string, got: " + EvalJson.show(idNode));
        } else {
          id = idNode.asString();
          Integer first = firstLine.putIfAbsent(id, lineNo);
          if (first != null) {
            problems.add(0, "duplicate id '" + id + "' (first on line " + first + ")");
          }
        }
        JsonNode answer = root.get("answer");
        if (answer == null) {
          problems.add("missing field 'answer'");
        } else if (!answer.isString()) {
          problems.add("field 'answer' must be a string, got: " + EvalJson.show(answer));
        }
        if (problems.isEmpty()) {
          byId.put(id, answer.asString());
        } else {
          bad.add(new BadLine(lineNo, id, String.join("; ", problems)));
        }
      }
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "answers file does not exist");
    } catch (IOException e) {
      throw new IOException("cannot read answers " + file + ": " + e, e);
    }
    return new Answers(byId, bad);
  }
}
