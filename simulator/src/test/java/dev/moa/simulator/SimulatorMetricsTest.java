package dev.moa.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class SimulatorMetricsTest {

  @Test
  void metricsEndpointServesVllmNamesWithTheUsageItReported() {
    try (Simulator sim =
        Simulator.start(
            SimulatorOptions.builder().port(0).defaultProfile(Profile.INSTANT).build())) {
      HttpResponse<String> reply = SimHttp.post(sim, SimHttp.chat("model-x", "Hello there?"));
      assertThat(reply.statusCode()).isEqualTo(200);
      var usage = SimHttp.parse(reply.body()).path("usage");

      HttpResponse<String> scrape =
          SimHttp.send(
              java.net.http.HttpRequest.newBuilder(java.net.URI.create(sim.metricsUrl())).build());

      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(scrape.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
      String text = scrape.body();
      assertThat(text)
          .contains(
              "vllm:prompt_tokens_total{model_name=\"model-x\"} "
                  + usage.path("prompt_tokens").asInt())
          .contains(
              "vllm:generation_tokens_total{model_name=\"model-x\"} "
                  + usage.path("completion_tokens").asInt())
          .contains("vllm:num_requests_running{model_name=\"model-x\"} 0")
          .contains("vllm:num_requests_waiting{model_name=\"model-x\"} 0")
          .contains("vllm:time_to_first_token_seconds_count{model_name=\"model-x\"} 1")
          .contains("vllm:e2e_request_latency_seconds_bucket{model_name=\"model-x\",le=\"0.3\"} 1");
    }
  }
}
