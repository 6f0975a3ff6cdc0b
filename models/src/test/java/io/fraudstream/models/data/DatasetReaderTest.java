package io.fraudstream.models.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.features.Transaction;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetReaderTest {

  @TempDir
  Path dir;

  private Path write(String name, String... lines) throws IOException {
    Path file = dir.resolve(name);
    byte[] text = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    if (name.endsWith(".gz")) {
      try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
        out.write(text);
      }
    } else {
      Files.write(file, text);
    }
    return file;
  }

  /** The same file gzipped beside it, which every preset must read the same. */
  private static Path gzipped(Path file) throws IOException {
    Path gz = file.resolveSibling(file.getFileName() + ".gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(Files.readAllBytes(file));
    }
    return gz;
  }

  private static final String HANDBOOK_HEADER =
      "TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,TX_TIME_SECONDS,TX_TIME_DAYS,TX_FRAUD,TX_FRAUD_SCENARIO";

  @Test
  void shouldReadTheHandbookFormatPlainOrGzipped() throws IOException {
    String[] lines = {HANDBOOK_HEADER, "0,2018-04-01 00:00:31,596,3156,57.16,31,0,0,0", "1,2018-04-01 00:02:10,4961,3412,81.51,130,0,1,1"};
    for (String name : List.of("handbook.csv", "handbook.csv.gz")) {
      List<Transaction> rows = DatasetReader.read(write(name, lines), DatasetMapping.preset("handbook"));
      assertEquals(2, rows.size());
      Transaction second = rows.get(1);
      assertEquals("1", second.id());
      assertEquals(Instant.parse("2018-04-01T00:02:10Z"), second.timestamp());
      assertEquals("4961", second.user());
      assertEquals("3412", second.merchant());
      assertEquals(81.51, second.amount());
      assertEquals(Boolean.TRUE, second.label());
      assertEquals(Boolean.FALSE, rows.get(0).label());
    }
  }

  @Test
  void shouldKeepTheKindOfEachFraudApartFromThePayments() throws IOException {
    Path file = write("handbook.csv", HANDBOOK_HEADER, "0,2018-04-01 00:00:31,596,3156,57.16,31,0,0,0",
        "1,2018-04-01 00:02:10,4961,3412,281.51,130,0,1,1", "2,2018-04-01 00:03:10,4961,3412,81.51,190,0,1,2",
        "3,2018-04-01 00:04:10,11,3412,8.00,250,0,0,0");
    DatasetReader.Dataset dataset = DatasetReader.readDataset(file, DatasetMapping.preset("handbook"));
    assertEquals(DatasetReader.read(file, DatasetMapping.preset("handbook")), dataset.payments(), "the same payments as read()");
    // Only frauds have a kind; the legitimate rows' scenario 0 is no kind.
    assertEquals(Map.of("1", "1", "2", "2"), dataset.fraudKinds().byPayment());
    assertEquals(FraudKinds.UNNAMED, dataset.fraudKinds().of("0"));

    Path noKinds = write("plain.properties", "id=TRANSACTION_ID", "time=TX_DATETIME", "user=CUSTOMER_ID", "amount=TX_AMOUNT",
        "label=TX_FRAUD");
    assertTrue(DatasetReader.readDataset(file, DatasetMapping.load(noKinds)).fraudKinds().isEmpty());
    Path wrongColumn = write("wrong.properties", "id=TRANSACTION_ID", "time=TX_DATETIME", "user=CUSTOMER_ID", "amount=TX_AMOUNT",
        "label=TX_FRAUD", "fraud.type=SCENARIO");
    IOException error = assertThrows(IOException.class, () -> DatasetReader.readDataset(file, DatasetMapping.load(wrongColumn)));
    assertTrue(error.getMessage().contains("'SCENARIO' (fraud.type)"), error.getMessage());
  }

  @Test
  void shouldReadBankSimWithItsSingleQuotesAndDaySteps() throws IOException {
    Path file = write("banksim.csv",
        "\"step\",\"customer\",\"age\",\"gender\",\"zipcodeOri\",\"merchant\",\"zipMerchant\",\"category\",\"amount\",\"fraud\"",
        "0,'C1093826151','4','M','28007','M348934600','28007','es_transportation',4.55,0",
        "2,'C583110837','3','M','28007','M480139044','28007','es_health',44.26,1");
    List<Transaction> rows = DatasetReader.read(file, DatasetMapping.preset("banksim"));
    assertEquals(rows, DatasetReader.read(gzipped(file), DatasetMapping.preset("banksim")));
    assertEquals("C1093826151", rows.get(0).user());
    assertEquals("M348934600", rows.get(0).merchant());
    assertEquals("es_transportation", rows.get(0).category());
    assertEquals(Instant.parse("2014-01-03T00:00:00Z"), rows.get(1).timestamp(), "step 2 is the third day");
    assertEquals(Boolean.TRUE, rows.get(1).label());
    assertEquals("2", rows.get(1).id(), "no id column: the record number");
  }

  @Test
  void shouldReadPaySimWithHourStepsAndTheDestinationAsPayee() throws IOException {
    Path file = write("paysim.csv",
        "step,type,amount,nameOrig,oldbalanceOrg,newbalanceOrig,nameDest,oldbalanceDest,newbalanceDest,isFraud,isFlaggedFraud",
        "1,PAYMENT,9839.64,C1231006815,170136.0,160296.36,M1979787155,0.0,0.0,0,0",
        "1,TRANSFER,181.0,C1305486145,181.0,0.0,C553264065,0.0,0.0,1,1");
    List<Transaction> rows = DatasetReader.read(file, DatasetMapping.preset("paysim"));
    assertEquals(rows, DatasetReader.read(gzipped(file), DatasetMapping.preset("paysim")));
    Transaction transfer = rows.get(1);
    assertEquals("C1305486145", transfer.user());
    assertEquals("C553264065", transfer.counterparty());
    assertEquals("TRANSFER", transfer.category());
    assertEquals(Instant.parse("2016-01-01T01:00:00Z"), transfer.timestamp());
    assertEquals(Boolean.TRUE, transfer.label());
    assertNull(transfer.merchant());
  }

  @Test
  void shouldReadSparkovWithQuotedCommasAndTheMerchantsLocation() throws IOException {
    Path file = write("sparkov.csv",
        ",trans_date_trans_time,cc_num,merchant,category,amt,first,last,gender,street,city,state,zip,lat,long,city_pop,job,dob,"
            + "trans_num,unix_time,merch_lat,merch_long,is_fraud",
        "0,2019-01-01 00:00:18,2703186189652095,\"fraud_Rippin, Kub and Mann\",misc_net,4.97,Jennifer,Banks,F,561 Perry Cove,"
            + "Moravian Falls,NC,28654,36.0788,-81.1781,3495,\"Psychologist, counselling\",1988-03-09,"
            + "0b242abb623afc578575680df30655b9,1325376018,36.011293,-82.048315,0");
    Transaction tx = DatasetReader.read(file, DatasetMapping.preset("sparkov")).get(0);
    assertEquals(tx, DatasetReader.read(gzipped(file), DatasetMapping.preset("sparkov")).get(0));
    assertEquals("0b242abb623afc578575680df30655b9", tx.id());
    assertEquals("2703186189652095", tx.user());
    assertEquals("fraud_Rippin, Kub and Mann", tx.merchant());
    assertEquals(4.97, tx.amount());
    assertEquals(36.011293, tx.lat());
    assertEquals(-82.048315, tx.lon());
    assertEquals(Instant.parse("2019-01-01T00:00:18Z"), tx.timestamp());
    assertEquals(Boolean.FALSE, tx.label());
  }

  @Test
  void shouldReadTheUlbCreditCardFileWithEachPaymentItsOwnUser() throws IOException {
    String v = IntStream.rangeClosed(1, 28).mapToObj(i -> "\"V" + i + "\"").collect(Collectors.joining(","));
    String values = IntStream.rangeClosed(1, 28).mapToObj(i -> "-0.5").collect(Collectors.joining(","));
    Path file = write("creditcard.csv", "\"Time\"," + v + ",\"Amount\",\"Class\"",
        "0," + values + ",149.62,\"0\"", "406.5," + values + ",0,\"1\"");
    List<Transaction> rows = DatasetReader.read(file, DatasetMapping.preset("ulb-creditcard"));
    assertEquals(rows, DatasetReader.read(gzipped(file), DatasetMapping.preset("ulb-creditcard")));
    assertEquals("row-1", rows.get(0).user());
    assertEquals("row-2", rows.get(1).user());
    assertEquals(Instant.parse("2013-09-01T00:06:46.500Z"), rows.get(1).timestamp());
    assertEquals(Boolean.TRUE, rows.get(1).label());
  }

  @Test
  void shouldReadJsonLinesThroughAMappingFile() throws IOException {
    Path mapping = write("cards.properties", "format=jsonl", "id=tx", "time=at", "user=card", "amount=value", "merchant=shop",
        "device=fingerprint", "label=outcome", "label.fraud=chargeback", "label.legit=ok");
    Path file = write("cards.jsonl",
        "{\"tx\":\"a1\",\"at\":\"2024-01-01T10:00:00Z\",\"card\":\"c1\",\"value\":12.5,\"shop\":\"s1\",\"outcome\":\"ok\"}",
        "",
        "{\"tx\":\"a2\",\"at\":1704103200000,\"card\":\"c1\",\"value\":99,\"fingerprint\":\"f9\",\"outcome\":\"chargeback\"}");
    List<Transaction> rows = DatasetReader.read(file, DatasetMapping.load(mapping));
    assertEquals(2, rows.size());
    assertEquals("s1", rows.get(0).merchant());
    assertNull(rows.get(1).merchant(), "a missing field is absent, not an error");
    assertEquals("f9", rows.get(1).device());
    assertEquals(Instant.parse("2024-01-01T10:00:00Z"), rows.get(1).timestamp());
    assertEquals(List.of(false, true), rows.stream().map(Transaction::label).toList());
  }

  @Test
  void shouldReadATabSeparatedFileWithoutHeaderByColumnNumber() throws IOException {
    Path mapping = write("tsv.properties", "delimiter=tab", "header=false", "time=2", "time.format=dd/MM/yyyy HH:mm",
        "time.zone=Europe/Amsterdam", "user=1", "amount=3");
    Path file = write("plain.tsv", "alice\t01/03/2024 10:30\t20.00");
    Transaction tx = DatasetReader.read(file, DatasetMapping.load(mapping)).get(0);
    assertEquals("alice", tx.user());
    assertEquals(Instant.parse("2024-03-01T09:30:00Z"), tx.timestamp());
    assertNull(tx.label());
  }

  @Test
  void shouldNameTheLineTheColumnAndWhatWasExpectedOnABadRow() throws IOException {
    Path file = write("bad.csv", HANDBOOK_HEADER, "0,2018-04-01 00:00:31,596,3156,57.16,31,0,0,0",
        "1,2018-04-01 00:02:10,4961,3412,8l.51,130,0,0,0");
    IOException error = assertThrows(IOException.class, () -> DatasetReader.read(file, DatasetMapping.preset("handbook")));
    assertTrue(error.getMessage().contains("line 3, column 'TX_AMOUNT' (amount): expected a number, got \"8l.51\""), error.getMessage());

    Path badLabel = write("label.csv", HANDBOOK_HEADER, "1,2018-04-01 00:02:10,4961,3412,8.51,130,0,maybe,0");
    error = assertThrows(IOException.class, () -> DatasetReader.read(badLabel, DatasetMapping.preset("handbook")));
    assertTrue(error.getMessage().contains("line 2, column 'TX_FRAUD' (label): expected one of"), error.getMessage());

    Path badTime = write("time.csv", HANDBOOK_HEADER, "1,yesterday,4961,3412,8.51,130,0,0,0");
    error = assertThrows(IOException.class, () -> DatasetReader.read(badTime, DatasetMapping.preset("handbook")));
    assertTrue(error.getMessage().contains("column 'TX_DATETIME' (time): expected a time in the format 'iso'"), error.getMessage());

    Path negative = write("negative.csv", HANDBOOK_HEADER, "1,2018-04-01 00:02:10,4961,3412,-3,130,0,0,0");
    error = assertThrows(IOException.class, () -> DatasetReader.read(negative, DatasetMapping.preset("handbook")));
    assertTrue(error.getMessage().contains("line 2: amount must be a finite number >= 0"), error.getMessage());

    Path otherFile = write("other.csv", "a,b,c", "1,2,3");
    error = assertThrows(IOException.class, () -> DatasetReader.read(otherFile, DatasetMapping.preset("handbook")));
    assertTrue(error.getMessage().contains("'TX_DATETIME' (time)") && error.getMessage().endsWith("the header has [a, b, c]"),
        error.getMessage());
  }

  @Test
  void shouldReadBackWhatTheWriterWroteExactly() throws IOException {
    List<Transaction> generated = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(50, 5, 4));
    for (String name : List.of("generated.csv", "generated.csv.gz")) {
      Path file = dir.resolve(name);
      assertEquals(generated.size(), DatasetWriter.write(file, generated));
      assertEquals(generated, DatasetReader.read(file, DatasetMapping.preset("fraudstream")));
    }
  }

  @Test
  void shouldReadTheChallengeColumnAndFilesWrittenBeforeIt() throws IOException {
    List<Transaction> generated = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(50, 5, 4).withChallenges(true));
    assertTrue(generated.stream().anyMatch(tx -> tx.challenge() != null), "some payments were challenged");
    Path file = dir.resolve("challenged.csv");
    DatasetWriter.write(file, generated);
    assertEquals(generated, DatasetReader.read(file, DatasetMapping.preset("fraudstream")));

    String oldHeader = "id,timestamp,user,amount,currency,merchant,category,channel,counterparty,device,ip,country,lat,lon,fraud";
    Path old = write("old.csv", oldHeader, "p1,2024-01-01T00:00:00Z,u1,10.0,EUR,m1,,,,d1,,,,,false");
    assertNull(DatasetReader.read(old, DatasetMapping.preset("fraudstream")).get(0).challenge());

    Path bad = write("bad-challenge.csv", oldHeader + ",challenge", "p1,2024-01-01T00:00:00Z,u1,10.0,EUR,m1,,,,d1,,,,,false,maybe");
    IOException error = assertThrows(IOException.class, () -> DatasetReader.read(bad, DatasetMapping.preset("fraudstream")));
    assertTrue(error.getMessage().contains("line 2, column 'challenge' (challenge): expected passed, failed, abandoned or nothing"),
        error.getMessage());
  }

  @Test
  void shouldRefuseAMappingWithWhatToFix() throws IOException {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> DatasetMapping.load(write("m1.properties", "time=t", "amount=a")));
    assertTrue(error.getMessage().contains("'user' is required"), error.getMessage());
    error = assertThrows(IllegalArgumentException.class,
        () -> DatasetMapping.load(write("m2.properties", "time=t", "user=u", "amount=a", "merchnat=m")));
    assertTrue(error.getMessage().contains("unknown key 'merchnat'"), error.getMessage());
    error = assertThrows(IllegalArgumentException.class,
        () -> DatasetMapping.load(write("m3.properties", "time=t", "user=u", "amount=a", "time.format=hours-since")));
    assertTrue(error.getMessage().contains("needs an origin"), error.getMessage());
    error = assertThrows(IllegalArgumentException.class, () -> DatasetMapping.preset("kaggle"));
    assertTrue(error.getMessage().contains("known formats: handbook, banksim, paysim, sparkov, ulb-creditcard, fraudstream"));
    assertFalse(DatasetMapping.presets().isEmpty());
  }
}
