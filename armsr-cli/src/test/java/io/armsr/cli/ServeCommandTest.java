package io.armsr.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.testing.Shared;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code armsr serve} answers, for the same options, the very file {@code armsr upscale} writes;
 * its own options are checked like every command's (exit 2, one line).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ServeCommandTest {
  @TempDir Path dir;

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static ServeCommand.Running serve(String... args) throws Exception {
    return CommandLine.populateCommand(new ServeCommand(), args).start();
  }

  private static HttpResponse<byte[]> post(ServeCommand.Running s, String query, byte[] body)
      throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(s.server().uri().resolve("/v1/upscale?" + query))
            .timeout(Duration.ofMinutes(2))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void theServedFileIsTheOneUpscaleWrites() throws Exception {
    Path in = Shared.inRepo("examples/kodim23-lr.png");
    byte[] png = Files.readAllBytes(in);
    List<String[]> cases =
        List.of(
            new String[] {"k=2", "--k", "2"},
            new String[] {"budget=0.4&format=jpg&quality=70", "--budget", "0.4", "--quality", "70"},
            new String[] {"subnet=2&width=500", "--subnet", "2", "--width", "500"},
            new String[] {"deadline-ms=0", "--deadline-ms", "0"});
    try (ServeCommand.Running s = serve("--port", "0", "--threads", "1", "--batch", "8")) {
      for (String[] c : cases) {
        String ext = c[0].contains("format=jpg") ? "jpg" : "png";
        Path out = dir.resolve("out-" + Math.abs(c[0].hashCode()) + "." + ext);
        String[] args = new String[c.length + 3];
        args[0] = "upscale";
        args[1] = in.toString();
        args[2] = out.toString();
        System.arraycopy(c, 1, args, 3, c.length - 1);
        args[args.length - 1] = "--threads=1";
        assertEquals(0, Main.run(args), String.join(" ", args));
        HttpResponse<byte[]> r = post(s, c[0], png);
        assertEquals(200, r.statusCode(), c[0]);
        assertArrayEquals(Files.readAllBytes(out), r.body(), c[0]);
      }
    }
  }

  @Test
  void badOptionsExitWithUsageErrors() throws Exception {
    String[][] bad = {
      {"--slo-ms", "-1"},
      {"--max-queue", "-1"},
      {"--port", "70000"},
      {"--max-pixels", "0"},
      {"--grid", "reference", "--slo-ms", "100"},
    };
    String[] messages = {
      "--slo-ms must be >= 0 (0: none), got -1.0",
      "--max-queue must be 0..100000, got -1",
      "--port must be 0..65535, got 70000",
      "--max-pixels must be at least 1, got 0",
      "--slo-ms (the any-time mode) needs the full grid",
    };
    PrintStream err = System.err;
    for (int i = 0; i < bad.length; i++) {
      ByteArrayOutputStream captured = new ByteArrayOutputStream();
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      int code;
      try {
        String[] args = new String[bad[i].length + 1];
        args[0] = "serve";
        System.arraycopy(bad[i], 0, args, 1, bad[i].length);
        code = Main.run(args);
      } finally {
        System.setErr(err);
      }
      String text = captured.toString(StandardCharsets.UTF_8);
      assertEquals(2, code, text);
      assertTrue(text.startsWith("armsr: " + messages[i]), text);
      assertEquals(1, text.lines().count(), text);
    }
  }

  @Test
  void aPortInUseIsAUsageError() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      IllegalArgumentException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalArgumentException.class,
              () -> serve("--port", Integer.toString(taken.getLocalPort()), "--threads", "1"));
      assertTrue(e.getMessage().startsWith("cannot listen on 127.0.0.1:" + taken.getLocalPort()));
    }
  }
}
