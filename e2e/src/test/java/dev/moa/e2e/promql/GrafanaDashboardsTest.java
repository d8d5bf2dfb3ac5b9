package dev.moa.e2e.promql;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The dashboards in deploy/grafana carry Grafana's dashboard model, datasource as a variable. */
class GrafanaDashboardsTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** The contract's dashboards: file, uid, title. */
  private static final Map<String, List<String>> EXPECTED =
      Map.of(
          "moa-overview.json", List.of("moa-overview", "MoA overview"),
          "moa-tokens.json", List.of("moa-tokens", "Tokens and models"),
          "moa-runs.json", List.of("moa-runs", "Runs and grades"));

  private static JsonNode read(Path f) throws Exception {
    return JSON.readTree(Files.readString(f));
  }

  @Test
  void theContractsDashboardsAreThereWithTheirUidsAndTitles() throws Exception {
    Path dir = DeployQueries.repoRoot().resolve("deploy/grafana");
    for (var e : EXPECTED.entrySet()) {
      JsonNode d = read(dir.resolve(e.getKey()));
      assertThat(d.path("uid").asString()).as(e.getKey()).isEqualTo(e.getValue().get(0));
      assertThat(d.path("title").asString()).as(e.getKey()).isEqualTo(e.getValue().get(1));
    }
  }

  @Test
  void everyDashboardHasGrafanasModelAndUsesTheDatasourceVariable() throws Exception {
    List<Path> files = DeployQueries.dashboards();
    assertThat(files).hasSizeGreaterThanOrEqualTo(3);
    Set<String> uids = new HashSet<>();
    for (Path f : files) {
      String name = f.getFileName().toString();
      JsonNode d = read(f);
      assertThat(d.path("uid").asString()).as(name + ": uid").isNotBlank();
      assertThat(uids.add(d.path("uid").asString())).as(name + ": uid is unique").isTrue();
      assertThat(d.path("title").asString()).as(name + ": title").isNotBlank();
      assertThat(d.path("schemaVersion").asInt()).as(name + ": schemaVersion").isPositive();
      JsonNode vars = d.path("templating").path("list");
      assertThat(vars.isArray()).as(name + ": templating.list").isTrue();
      JsonNode ds = null;
      Set<String> varNames = new HashSet<>();
      for (JsonNode v : vars) {
        varNames.add(v.path("name").asString());
        if (v.path("name").asString().equals("datasource")) {
          ds = v;
        }
      }
      assertThat(ds).as(name + ": a 'datasource' template variable").isNotNull();
      assertThat(ds.path("type").asString())
          .as(name + ": datasource variable type")
          .isEqualTo("datasource");
      assertThat(ds.path("query").asString())
          .as(name + ": datasource variable plugin")
          .isEqualTo("prometheus");
      for (JsonNode v : vars) {
        if (v.path("type").asString().equals("query")) {
          assertThat(v.path("datasource").path("uid").asString())
              .as(name + ": variable " + v.path("name").asString() + " datasource")
              .isEqualTo("${datasource}");
        }
      }
      List<JsonNode> panels = new ArrayList<>();
      flatten(d.path("panels"), panels);
      assertThat(panels.stream().filter(p -> !p.path("type").asString().equals("row")))
          .as(name + ": panels")
          .isNotEmpty();
      Set<Integer> ids = new HashSet<>();
      for (JsonNode p : panels) {
        String where = name + " panel '" + p.path("title").asString() + "'";
        assertThat(p.path("type").asString()).as(where + ": type").isNotBlank();
        assertThat(ids.add(p.path("id").asInt())).as(where + ": id is unique").isTrue();
        JsonNode g = p.path("gridPos");
        for (String k : List.of("h", "w", "x", "y")) {
          assertThat(g.path(k).isInt()).as(where + ": gridPos." + k).isTrue();
        }
        assertThat(g.path("x").asInt() + g.path("w").asInt())
            .as(where + ": fits 24 columns")
            .isLessThanOrEqualTo(24);
        if (p.path("type").asString().equals("row")) {
          continue;
        }
        assertThat(p.path("datasource").path("uid").asString())
            .as(where + ": datasource")
            .isEqualTo("${datasource}");
        assertThat(p.path("targets").size()).as(where + ": targets").isPositive();
        Set<String> refIds = new HashSet<>();
        for (JsonNode t : p.path("targets")) {
          assertThat(t.path("expr").asString()).as(where + ": target expr").isNotBlank();
          assertThat(t.has("legendFormat")).as(where + ": target legendFormat").isTrue();
          assertThat(refIds.add(t.path("refId").asString())).as(where + ": refId unique").isTrue();
          assertThat(t.path("datasource").path("uid").asString())
              .as(where + ": target datasource")
              .isEqualTo("${datasource}");
          for (var m :
              java.util.regex.Pattern.compile("\\$\\{?([A-Za-z_]\\w*)")
                  .matcher(t.path("expr").asString())
                  .results()
                  .toList()) {
            String var = m.group(1);
            assertThat(var.startsWith("__") || varNames.contains(var))
                .as(where + ": $" + var + " is a template variable of the dashboard")
                .isTrue();
          }
        }
      }
    }
  }

  @Test
  void everyQueryGetsConcreteValuesForItsVariables() {
    List<DeployQueries.Query> queries = DeployQueries.all();
    assertThat(queries).isNotEmpty();
    assertThat(queries).allSatisfy(q -> assertThat(q.promql()).as(q.where()).doesNotContain("$"));
    assertThat(queries)
        .allSatisfy(q -> assertThat(PromqlNames.of(q.promql())).as(q.where()).isNotEmpty());
  }

  @Test
  void labelValuesVariablesBecomeACountByTheLabel() {
    assertThat(
            DeployQueries.query(
                    "v",
                    "label_values(gen_ai_client_token_usage_count{gen_ai_request_model=~\"$model\"}, moa_agent)")
                .promql())
        .isEqualTo(
            "count by (moa_agent) (gen_ai_client_token_usage_count{gen_ai_request_model=~\".*\"})");
  }

  private static void flatten(JsonNode panels, List<JsonNode> out) {
    for (JsonNode p : panels) {
      out.add(p);
      flatten(p.path("panels"), out);
    }
  }
}
