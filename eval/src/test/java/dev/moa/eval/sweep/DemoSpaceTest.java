package dev.moa.eval.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.protocol.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shipped {@code configs/sweeps/demo-space.yaml}. */
class DemoSpaceTest {

  private static final Path SPACE = Path.of("..", "configs", "sweeps", "demo-space.yaml");

  @Test
  void expandsToAtLeastEightValidConfigurationsOfTheWorkshopConfig() throws Exception {
    SweepSpace space = SpaceParser.parse(Files.readString(SPACE), SPACE.toString());
    List<Configuration> cs =
        SpaceExpander.expand(
            space, ConfigLoader.load(SPACE.getParent().resolve(space.base())), SPACE.toString());

    assertThat(cs).hasSizeGreaterThanOrEqualTo(8);
    assertThat(cs).extracting(Configuration::label).doesNotHaveDuplicates();
    assertThat(cs.get(0).config().aggregator().model()).isEqualTo("llama-3.3-70b");
  }
}
