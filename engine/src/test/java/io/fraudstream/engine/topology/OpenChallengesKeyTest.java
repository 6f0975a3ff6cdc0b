package io.fraudstream.engine.topology;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * The keys of the open-challenges store, checked in like the topology's description: a key written
 * another way by a later build would leave every open challenge unanswerable after an upgrade.
 * A deliberate change rewrites the file with {@code -Dfraudstream.golden.write=src/test/resources/golden}.
 */
class OpenChallengesKeyTest {

  @Test
  void shouldKeyOpenChallengesAsCheckedInAndFindAUsersByTheirPrefixOnly() throws IOException {
    String keys = String.join("\n", OpenChallenges.key("alice", "p-1"), OpenChallenges.userPrefix("ab"),
        OpenChallenges.key("ab|c", "d")) + "\n";
    GoldenText.assertGenerates("open-challenge-keys.txt", keys);
    assertTrue(OpenChallenges.key("ab", "c|d").startsWith(OpenChallenges.userPrefix("ab")));
    // A user whose id begins with another's, separator and all, is still not found by the other's erasure.
    assertFalse(OpenChallenges.key("ab|c", "d").startsWith(OpenChallenges.userPrefix("ab")));
  }
}
