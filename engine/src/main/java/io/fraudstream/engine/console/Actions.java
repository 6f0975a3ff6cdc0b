package io.fraudstream.engine.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fraudstream.engine.topology.Topics;
import io.fraudstream.features.PaymentLabel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What an operator's action writes: a label on the labels topic, or a tombstone on the blocks
 * topic, and in either case a record on the audit topic saying who did what and when. The
 * action is acknowledged by the cluster before its audit record is sent, and the request
 * answers only once both are.
 */
public final class Actions implements AutoCloseable {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final KafkaProducer<String, byte[]> producer;
  private final Topics topics;
  private final String auditTopic;
  private final String casesTopic;

  public Actions(Properties clientProperties, Topics topics, String auditTopic, String casesTopic) {
    Properties props = new Properties();
    props.putAll(clientProperties);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "20000");
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    // An operator waits for the answer: a cluster away fails the action within seconds, said so, rather than hanging the page.
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
    this.producer = new KafkaProducer<>(props, Topics.KEY_SERDE.serializer(), Topics.RAW_SERDE.serializer());
    this.topics = topics;
    this.auditTopic = auditTopic;
    this.casesTopic = casesTopic;
  }

  /** Tombstones for the cases of an erased user, so that compaction removes them from the cases topic. */
  public void forgetCases(String user, List<String> ids) {
    for (String id : ids) {
      send(casesTopic, id, null);
    }
    if (!ids.isEmpty()) {
      audit("erasure", null, "case-erased", user);
    }
  }

  /** A case's new version, and what was done to it ({@code assign}, {@code comment}, {@code close-fraud}…) on the audit topic. */
  public void writeCase(CaseRecord record, String action, String operator, String remote) {
    send(casesTopic, record.id(), record.toJson());
    audit(operator, remote, "case-" + action, record.id());
  }

  public void label(PaymentLabel label, String operator, String remote) {
    send(topics.labels(), label.paymentId(), label.toJson());
    audit(operator, remote, label.fraud() ? "label-fraud" : "label-legitimate", label.paymentId());
  }

  public void unblock(String entity, String operator, String remote) {
    send(topics.blocks(), entity, null);
    audit(operator, remote, "unblock", entity);
  }

  private void audit(String operator, String remote, String action, String target) {
    ObjectNode record = MAPPER.createObjectNode().put("at", Instant.now().toString()).put("operator", operator)
        .put("action", action).put("target", target).put("from", remote);
    send(auditTopic, operator, record.toString().getBytes(StandardCharsets.UTF_8));
  }

  private void send(String topic, String key, byte[] value) {
    try {
      producer.send(new ProducerRecord<>(topic, key, value)).get(25, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the cluster did not take the record on '" + topic + "': " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing to '" + topic + "'", e);
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
