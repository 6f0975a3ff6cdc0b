package io.fraudstream.engine.serving;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;

/** The one way the engine and the console make an HTTP server, with the JDK server's settings they both need. */
public final class HttpServers {

  static {
    // The JDK's server writes a response's headers and body apart; without TCP_NODELAY, Nagle's
    // algorithm holds the body until the client's delayed ACK, 40 ms on Linux, on every keep-alive
    // request. Read once, when the JDK's server first loads, so set before any server is made.
    System.setProperty("sun.net.httpserver.nodelay", System.getProperty("sun.net.httpserver.nodelay", "true"));
    // Past 200 idle connections the JDK's server closes each connection as its answer completes,
    // without saying so in the answer; a client that reuses it first finds it closed, and its
    // request is lost ("received no bytes"). A burst of payments opens that many. Idle ones are
    // still closed after 30 s (sun.net.httpserver.idleInterval).
    System.setProperty("sun.net.httpserver.maxIdleConnections", System.getProperty("sun.net.httpserver.maxIdleConnections", "4096"));
  }

  private HttpServers() {}

  /** A server bound to {@code address}, not started; {@code backlog} connections may wait to be accepted. */
  public static HttpServer create(InetSocketAddress address, int backlog) throws IOException {
    return HttpServer.create(address, backlog);
  }
}
