package dev.moa.protocol.request;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.ChatMessage;
import dev.moa.protocol.avro.TaskRole;
import dev.moa.protocol.config.ConfigLoader;
import dev.moa.protocol.config.MoaConfig;
import dev.moa.protocol.config.ProviderResolver;
import dev.moa.protocol.prompt.Message;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskFactoryTest {

  @Test
  void layerTasksAreOnePerAgentWithTheHelperResponseInTheSystemMessage() throws Exception {
    MoaConfig config = ConfigLoader.defaultConfig();
    var snapshot =
        RequestFactory.snapshot(
            config, ProviderResolver.resolve(config, name -> null, "http://127.0.0.1:1/v1"));
    var request =
        RequestFactory.request(
            "r1", snapshot, List.of(new Message("user", "Why?")), 7L, 5, Map.of());

    List<AgentTask> tasks = TaskFactory.layerTasks(request, 2, "REFERENCES", 99);

    assertThat(tasks).hasSize(config.layers().get(1).agents().size());
    AgentTask first = tasks.get(0);
    assertThat(first.getTaskId()).isEqualTo("r1:L2:A0");
    assertThat(first.getRole()).isEqualTo(TaskRole.AGENT);
    assertThat(first.getSeed()).isEqualTo(7L);
    assertThat(first.getCreatedAtMs()).isEqualTo(99);
    assertThat(first.getMessages().get(0).getRole()).isEqualTo("system");
    assertThat(first.getMessages().get(0).getContent()).contains("REFERENCES");
    assertThat(first.getMessages()).last().isEqualTo(new ChatMessage("user", "Why?"));
  }

  @Test
  void aggregatorTaskComesAfterTheLastLayer() throws Exception {
    MoaConfig config = ConfigLoader.defaultConfig();
    var snapshot =
        RequestFactory.snapshot(
            config, ProviderResolver.resolve(config, name -> null, "http://127.0.0.1:1/v1"));
    var request =
        RequestFactory.request(
            "r1", snapshot, List.of(new Message("user", "Why?")), null, 5, Map.of());

    AgentTask agg = TaskFactory.aggregatorTask(request, "ALL", 9);

    assertThat(agg.getTaskId()).isEqualTo("r1:AGG");
    assertThat(agg.getRole()).isEqualTo(TaskRole.AGGREGATOR);
    assertThat(agg.getLayer()).isEqualTo(config.layers().size() + 1);
    assertThat(agg.getModel()).isEqualTo(config.aggregator().model());
  }
}
