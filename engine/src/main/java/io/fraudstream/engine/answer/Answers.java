package io.fraudstream.engine.answer;

import io.fraudstream.engine.decision.Decision;
import io.fraudstream.engine.serving.EngineMetrics;
import io.fraudstream.features.Sha256;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

/**
 * The payments asked about through the decide endpoint, by payment id, for as long as they are
 * remembered: what was asked, the decision once made (whichever way it reaches this instance
 * first), and what was answered, until the decision is seen committed and the answer is
 * confirmed or counted as superseded.
 *
 * <p>Decisions come from three places: the payment path in this process, the instant it decides
 * a payment of a user whose partition this instance holds; the decisions topic as written, for
 * the users other instances hold; and the decisions topic as committed, which also settles each
 * answer. A payment nobody here asked about is a map lookup and nothing more.
 */
public final class Answers {

  /**
   * One payment asked about: a digest of it, to tell a retry from another payment under the same id
   * (what is kept is small, a few hundred bytes, so that many can be), and its answer.
   */
  public static final class Asked {
    private final byte[] digest;
    private final long askedAt;
    private final CompletableFuture<Answer> decision = new CompletableFuture<>();
    private final EngineMetrics metrics;
    private Answer answered;
    private Answer committed;
    private boolean settled;

    private Asked(byte[] digest, long askedAt, EngineMetrics metrics) {
      this.digest = digest;
      this.askedAt = askedAt;
      this.metrics = metrics;
    }

    /** Completes when the payment is decided; the first decision that reaches this instance wins. */
    public CompletableFuture<Answer> decision() {
      return decision;
    }

    /** Notes the decision given to a caller, to compare with the committed one. */
    public synchronized void answered(Answer given) {
      answered = given;
      settle();
    }

    private synchronized void seenCommitted(Answer recorded) {
      committed = recorded;
      settle();
    }

    /**
     * Counts the answer as confirmed or superseded once both are known, whichever came first: the
     * committed decision is often read before the thread that sent the answer has noted it.
     */
    private void settle() {
      if (!settled && answered != null && committed != null) {
        settled = true;
        metrics.answerCommitted(!answered.sameVerdict(committed));
      }
    }
  }

  /** A payment id already used for a different payment. */
  public static final class Conflict extends Exception {
    Conflict(String paymentId) {
      super("payment id '" + paymentId + "' was already used for a different payment; each payment needs an id of its own");
    }
  }

  private final Map<String, Asked> byPayment = new ConcurrentHashMap<>();
  private final Queue<String> inOrder = new ConcurrentLinkedQueue<>();
  private final Duration remembered;
  private final int capacity;
  private final EngineMetrics metrics;
  private final Function<Decision, Answer> answerOf;

  /**
   * @param remembered how long a payment id is kept after it was first asked about
   * @param capacity the most payment ids kept; beyond it the oldest are forgotten early
   * @param answerOf what a decision is answered as
   */
  public Answers(Duration remembered, int capacity, EngineMetrics metrics, Function<Decision, Answer> answerOf) {
    this.remembered = remembered;
    this.capacity = capacity;
    this.metrics = metrics;
    this.answerOf = answerOf;
  }

  /**
   * The payment asked about: new, or the one already asked about under its id when it is the
   * same payment (a retry).
   *
   * @return the entry, and whether this call created it (only then is the payment to be written)
   * @throws Conflict when the id was used for a different payment
   */
  public Ask ask(Transaction payment, long nowNanos) throws Conflict {
    byte[] digest = Sha256.newDigest().digest(TransactionJson.write(payment));
    Asked fresh = new Asked(digest, nowNanos, metrics);
    Asked known = byPayment.putIfAbsent(payment.id(), fresh);
    if (known == null) {
      inOrder.add(payment.id());
      forgetOld(nowNanos);
      return new Ask(fresh, true);
    }
    if (!Arrays.equals(known.digest, digest)) {
      throw new Conflict(payment.id());
    }
    return new Ask(known, false);
  }

  /** An entry and whether the call that asked created it. */
  public record Ask(Asked asked, boolean first) {}

  /** Forgets a payment that could not be written, so that a retry writes it. */
  public void forget(String paymentId, Asked asked) {
    byPayment.remove(paymentId, asked);
  }

  /** A decision made or read as written, not yet committed: answers whoever waits for it. */
  public void decided(Decision decision) {
    Asked asked = byPayment.get(decision.paymentId());
    if (asked != null && !asked.decision.isDone()) {
      asked.decision.complete(answerOf.apply(decision));
    }
  }

  /** Whether anyone here asked about this payment: the decision is read only then. */
  public boolean asked(String paymentId) {
    return paymentId != null && byPayment.containsKey(paymentId);
  }

  /** A decision seen committed: answers whoever still waits, and settles what was answered. */
  public void committed(Decision decision) {
    Asked asked = byPayment.get(decision.paymentId());
    if (asked == null) {
      return;
    }
    Answer recorded = answerOf.apply(decision);
    asked.decision.complete(recorded);
    asked.seenCommitted(recorded);
  }

  /** Payment ids remembered now. */
  public int size() {
    return byPayment.size();
  }

  private void forgetOld(long nowNanos) {
    long oldest = nowNanos - remembered.toNanos();
    for (String id = inOrder.peek(); id != null; id = inOrder.peek()) {
      Asked asked = byPayment.get(id);
      boolean expired = asked == null || asked.askedAt - oldest < 0;
      if (!expired && byPayment.size() <= capacity) {
        return;
      }
      if (inOrder.remove(id) && asked != null) {
        byPayment.remove(id, asked);
      }
    }
  }
}
