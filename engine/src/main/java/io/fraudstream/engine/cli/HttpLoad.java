package io.fraudstream.engine.cli;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * POSTs to one URL over a fixed number of kept-alive HTTP/1.1 connections, each with a thread of
 * its own: the demo's and the benchmarks' client of the decide endpoint. It costs tens of
 * microseconds a request, where the JDK's {@code HttpClient} cost about a millisecond on the
 * 2-core machine and took a core from the engine beside it. Requests wait in a queue when every
 * connection is busy, and each answer comes with the time it was due, so a stall of the server
 * shows in full when it is timed (no coordinated omission).
 */
public final class HttpLoad implements AutoCloseable {

  /** A request to send: its index, body, and when it was due (System.nanoTime). */
  private record Due(int index, byte[] body, long dueNanos) {}

  /** What to do with an answer: its index, HTTP status, body, and the time it came. */
  public interface Answered {
    void accept(int index, int status, String body, long answeredNanos);
  }

  private static final Due STOP = new Due(-1, new byte[0], 0);
  private final BlockingQueue<Due> queue = new LinkedBlockingQueue<>();
  private final List<Thread> workers = new ArrayList<>();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final byte[] head;

  /**
   * @param headers more request headers, each ending in CRLF
   * @param answered called on a connection's thread with each answer
   */
  public HttpLoad(URI uri, int connections, String headers, Answered answered) throws IOException {
    this.head = ("POST " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getAuthority() + "\r\nContent-Type: application/json\r\n"
        + headers).getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < connections; i++) {
      Socket socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
      Thread worker = new Thread(() -> work(socket, answered), "http-load-" + i);
      worker.setDaemon(true);
      worker.start();
      workers.add(worker);
    }
  }

  /** Queues request {@code index}, due at {@code dueNanos}. */
  public void send(int index, byte[] body, long dueNanos) {
    if (failure.get() != null) {
      throw new IllegalStateException("a connection failed", failure.get());
    }
    queue.add(new Due(index, body, dueNanos));
  }

  private void work(Socket socket, Answered answered) {
    try (socket; OutputStream out = socket.getOutputStream(); InputStream in = new BufferedInputStream(socket.getInputStream())) {
      while (true) {
        Due due = queue.take();
        if (due == STOP) {
          return;
        }
        byte[] length = ("Content-Length: " + due.body().length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] request = new byte[head.length + length.length + due.body().length];
        System.arraycopy(head, 0, request, 0, head.length);
        System.arraycopy(length, 0, request, head.length, length.length);
        System.arraycopy(due.body(), 0, request, head.length + length.length, due.body().length);
        out.write(request);
        out.flush();
        int status = readResponse(in, due, answered);
        if (status < 0) {
          throw new IOException("the server closed the connection");
        }
      }
    } catch (IOException | RuntimeException e) {
      failure.compareAndSet(null, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int readResponse(InputStream in, Due due, Answered answered) throws IOException {
    String statusLine = readLine(in);
    if (statusLine == null) {
      return -1;
    }
    int status = Integer.parseInt(statusLine.substring(9, 12));
    int contentLength = 0;
    for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        contentLength = Integer.parseInt(line.substring(15).trim());
      }
    }
    byte[] body = in.readNBytes(contentLength);
    answered.accept(due.index(), status, new String(body, StandardCharsets.UTF_8), System.nanoTime());
    return status;
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b != -1; b = in.read()) {
      if (b == '\n') {
        int end = line.length();
        return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
      }
      line.append((char) b);
    }
    return line.length() == 0 ? null : line.toString();
  }

  /** Waits until every queued request is answered, then closes the connections. */
  @Override
  public void close() throws InterruptedException {
    for (int i = 0; i < workers.size(); i++) {
      queue.add(STOP);
    }
    for (Thread worker : workers) {
      worker.join(TimeUnit.MINUTES.toMillis(2));
    }
    if (failure.get() != null) {
      throw new IllegalStateException("a connection failed", failure.get());
    }
  }
}
