package io.fraudstream.engine.topology;


import io.fraudstream.engine.TestModels;
import io.fraudstream.engine.decision.ChallengePolicy;
import io.fraudstream.engine.decision.DecisionPolicy;
import io.fraudstream.engine.serving.EngineMetrics;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The topology's description, checked in: a running application's internal topics and stores
 * are named after its processors and stores, so a rename that slips into a refactoring would
 * strand their state on upgrade. A deliberate change rewrites the file with
 * {@code -Dfraudstream.golden.write=src/test/resources/golden} and says so in its commit.
 */
class TopologyDescriptionTest {

  @Test
  void shouldDescribeTheTopologyAsCheckedIn() throws IOException {
    DecisionPolicy policy = new DecisionPolicy(TestModels.bundle(), Duration.ofHours(24));
    EngineMetrics metrics = EngineMetrics.inMemory();
    // The two applications as the engine runs them: their stores' and topics' names are what a restart finds.
    FraudTopology.HandOff handOff = FraudTopology.HandOff.of("fraudstream");
    String described = "# The payment path (application id fraudstream)\n"
        + FraudTopology.build(FraudTopology.Part.PAYMENT_PATH, Topics.defaults(), handOff, policy, metrics, TestModels.PSEUDONYMISER, 4,
            Duration.ZERO, InputWindow.defaults(), ChallengePolicy.defaults()).describe()
        + "# Off the payment path (application id fraudstream-off-path)\n"
        + FraudTopology.build(FraudTopology.Part.OFF_PATH, Topics.defaults(), handOff, policy, metrics, TestModels.PSEUDONYMISER, 4,
            Duration.ZERO, InputWindow.defaults(), ChallengePolicy.defaults()).describe();
    GoldenText.assertGenerates("topology.txt", described);
  }
}
