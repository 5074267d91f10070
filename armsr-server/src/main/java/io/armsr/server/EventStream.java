package io.armsr.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A response of server-sent events ({@code text/event-stream}): each {@link #send} writes one
 * {@code event:} and one {@code data:} line of JSON and flushes it to the client. The stream starts
 * (status 200, headers) with the first event, so that a request refused before it is still answered
 * with its own status and JSON. A client that has gone makes {@link #send} throw {@link
 * UncheckedIOException}, which stops the work that feeds it.
 */
final class EventStream {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServletResponse response;
  private OutputStream out;

  EventStream(HttpServletResponse response) {
    this.response = response;
  }

  /** Whether the first event has gone out (the status and headers with it). */
  boolean started() {
    return out != null;
  }

  /**
   * Sends {@code data} (serialised as one line of JSON) as an event named {@code event}.
   *
   * @throws UncheckedIOException when the client has gone
   */
  void send(String event, Object data) {
    try {
      if (out == null) {
        response.setStatus(200);
        response.setContentType("text/event-stream");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-cache");
        out = response.getOutputStream();
      }
      byte[] line = JSON.writeValueAsBytes(data); // Jackson writes no raw newline
      out.write(("event: " + event + "\ndata: ").getBytes(StandardCharsets.UTF_8));
      out.write(line);
      out.write("\n\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
