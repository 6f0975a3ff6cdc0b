package io.fraudstream.engine.topology;

import io.fraudstream.engine.decision.Alert;
import io.fraudstream.engine.decision.AlertWording;
import io.fraudstream.engine.decision.Block;
import io.fraudstream.engine.decision.ChallengePolicy;
import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.decision.DecisionPolicy;
import io.fraudstream.engine.decision.Reasons;
import io.fraudstream.engine.serving.EngineMetrics;
import io.fraudstream.features.ChallengeResult;
import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.features.PaymentLabel;
import io.fraudstream.features.StoredFormat;
import io.fraudstream.features.streams.ChallengeLearner;
import io.fraudstream.features.streams.StoreRetention;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The CHALLENGE decisions of a user's task still waiting for their result, keyed by user and
 * payment id ({@link #key}) in a store of that task: what the result needs of its decision (why
 * it was challenged, its merchant, device and time) for metrics per reason and for the policy on
 * failed challenges. The result arrives in the same task, as the challenge-results topic is keyed
 * by user like the payments. An entry leaves with its result, at the user's erasure, or after
 * {@link #RETENTION}.
 */
final class OpenChallenges {

  /** How long a challenge waits for its result; a one-time code expires within minutes. */
  static final Duration RETENTION = Duration.ofDays(1);
  private static final byte FORMAT = 1;

  private OpenChallenges() {}

  static StoredFormat storedFormat() {
    return new StoredFormat("open challenge", FORMAT, List.of((int) FORMAT));
  }

  /**
   * The key of a user's open challenge: the user first, so that an erasure finds all of theirs by
   * {@link #userPrefix}. The length comes first so that no user's prefix is another's.
   */
  static String key(String user, String paymentId) {
    return userPrefix(user) + paymentId;
  }

  static String userPrefix(String user) {
    return user.length() + ":" + user + "|";
  }

  /** What a challenge's result needs of its decision. */
  record Open(String reason, String merchant, String device, long paymentMillis) {}

  /** @param reason the kind of the decision's first reason ({@link Reasons#kindOf}) */
  static byte[] encode(Decision decision, String reason) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      out.writeLong(decision.timestamp().toEpochMilli());
      out.writeUTF(reason);
      out.writeUTF(decision.merchant() == null ? "" : decision.merchant());
      out.writeUTF(decision.device() == null ? "" : decision.device());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** The entry, or null for anything this version did not write (a changelog record could be anything). */
  static Open decode(byte[] value) {
    if (value == null || value.length < 1 + Long.BYTES || value[0] != FORMAT) {
      return null;
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
      in.readByte();
      long paymentMillis = in.readLong();
      String reason = in.readUTF();
      String merchant = in.readUTF();
      String device = in.readUTF();
      return in.available() == 0 ? new Open(reason, merchant.isEmpty() ? null : merchant, device.isEmpty() ? null : device, paymentMillis)
          : null;
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * What a result leads to beyond the user's state: an alert and a block on the user for a failed
   * challenge, as the policy says, and a fraud label when a failed challenge counts as one.
   */
  record FollowUp(Alert alert, Block block, PaymentLabel label) {}

  /** Counts each result by outcome and by why its payment was challenged, and applies the policy on failed ones. */
  static final class Answer implements Processor<String, ChallengeLearner.Learned, String, FollowUp> {
    private final String storeName;
    private final String pendingBlocksStore;
    private final DecisionPolicy policy;
    private final ChallengePolicy challenges;
    private final EngineMetrics metrics;
    private ProcessorContext<String, FollowUp> context;
    private KeyValueStore<String, byte[]> store;
    private KeyValueStore<String, Block> pendingBlocks;

    Answer(String storeName, String pendingBlocksStore, DecisionPolicy policy, ChallengePolicy challenges, EngineMetrics metrics) {
      this.storeName = storeName;
      this.pendingBlocksStore = pendingBlocksStore;
      this.policy = policy;
      this.challenges = challenges;
      this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, FollowUp> context) {
      this.context = context;
      store = context.getStateStore(storeName);
      pendingBlocks = context.getStateStore(pendingBlocksStore);
      StoreRetention.schedule(context, store, (value, streamTime) -> {
        Open open = decode(value);
        return open == null || open.paymentMillis() + RETENTION.toMillis() <= streamTime;
      });
    }

    @Override
    public void process(Record<String, ChallengeLearner.Learned> record) {
      ChallengeResult result = record.value().result();
      FeatureExtractor.Learned learned = record.value().learned();
      // Only a result the user's own recent payments accepted may close a challenge: a result keyed
      // by another user of the task, naming someone else's payment, must not close theirs.
      Open open = null;
      if (learned == FeatureExtractor.Learned.APPLIED) {
        String key = key(record.key(), result.paymentId());
        open = decode(store.get(key));
        if (open == null) {
          // Written before challenges were keyed by user too; such entries are gone within RETENTION.
          key = result.paymentId();
          open = decode(store.get(key));
        }
        if (open != null) {
          store.delete(key);
        }
      }
      metrics.challengeResult(result.outcome(), open == null ? null : open.reason(), learned);
      // A repeated or unknown result changes nothing: only the first answer to a payment the user made acts.
      if (result.outcome() != ChallengeResult.Outcome.FAILED || learned != FeatureExtractor.Learned.APPLIED) {
        return;
      }
      String user = record.key();
      Block block = challenges.onFailed() == ChallengePolicy.OnFailed.BLOCK ? policy.blockForFailedChallenge(user, result) : null;
      if (block != null) {
        pendingBlocks.put(block.entity(), block);
      }
      Alert alert = challenges.onFailed() == ChallengePolicy.OnFailed.NOTHING ? null : AlertWording.failedChallenge(user, result, block);
      PaymentLabel label = challenges.failedIsFraud() && open != null
          ? new PaymentLabel(result.paymentId(), true, open.merchant(), open.device(), Instant.ofEpochMilli(open.paymentMillis()))
          : null;
      if (alert != null || label != null) {
        context.forward(record.withValue(new FollowUp(alert, block, label)));
      }
    }
  }
}
