package dev.moa.simulator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Small JDK HttpClient helpers shared by the HTTP tests. */
final class SimHttp {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private SimHttp() {}

  static ObjectNode chat(String model, String question) {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", model);
    body.putArray("messages")
        .add(JSON.createObjectNode().put("role", "system").put("content", "Be concise."))
        .add(JSON.createObjectNode().put("role", "user").put("content", question));
    return body;
  }

  static HttpRequest.Builder request(Simulator sim, String path) {
    return HttpRequest.newBuilder(URI.create(sim.baseUrl() + path)).timeout(Duration.ofSeconds(20));
  }

  static HttpResponse<String> post(Simulator sim, String path, String body) {
    return send(
        request(sim, path)
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  static HttpResponse<String> post(Simulator sim, JsonNode body) {
    return post(sim, "/chat/completions", JSON.writeValueAsString(body));
  }

  static HttpResponse<String> get(Simulator sim, String path) {
    return send(request(sim, path).GET().build());
  }

  static HttpResponse<String> send(HttpRequest request) {
    try {
      return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static HttpResponse<InputStream> postStreaming(Simulator sim, JsonNode body) {
    try {
      return CLIENT.send(
          request(sim, "/chat/completions")
              .header("content-type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
              .build(),
          HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Everything received until end of stream or a connection error (which is swallowed). */
  static String readUntilClosed(InputStream in) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try (in) {
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
      }
    } catch (IOException e) {
      // The server dropped the connection: what arrived before is the result.
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Non-empty lines received until end of stream or a connection error. */
  static List<String> readLinesUntilClosed(InputStream in) {
    return Arrays.stream(readUntilClosed(in).split("\n")).filter(l -> !l.isEmpty()).toList();
  }

  /** The payloads of {@code data:} events, in order. */
  static List<String> sseData(String body) {
    List<String> out = new ArrayList<>();
    for (String event : body.split("\n\n")) {
      if (!event.isBlank()) {
        if (!event.startsWith("data: ")) {
          throw new AssertionError("Not an SSE data event: " + event);
        }
        out.add(event.substring("data: ".length()));
      }
    }
    return out;
  }

  static JsonNode parse(String json) {
    return JSON.readTree(json);
  }
}
