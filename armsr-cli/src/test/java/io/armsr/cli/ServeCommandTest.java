package io.armsr.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.DecodedImage;
import io.armsr.imagefile.ImageFiles;
import io.armsr.imagefile.ImageFormat;
import io.armsr.infer.ArmModel;
import io.armsr.infer.DeviceProfile;
import io.armsr.infer.ImageUpscale;
import io.armsr.infer.OutputSize;
import io.armsr.infer.Upscaler;
import io.armsr.model.Backbone;
import io.armsr.route.Batching;
import io.armsr.route.RoutingMode;
import io.armsr.route.TimeModel;
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

  /** A made-up device profile, so that a test server need not calibrate. */
  static Path profile(Path dir) throws Exception {
    Path file = dir.resolve("profile.json");
    TimeModel time =
        new TimeModel(
            Batching.Path.STREAMING,
            8,
            1,
            0.1,
            new double[] {0.2, 0.5, 1, 2},
            new double[] {0.5, 0.5, 0.5, 0.5});
    new DeviceProfile(
            Backbone.FSRCNN,
            "full",
            4,
            "fp32",
            Upscaler.defaultWindows(Backbone.FSRCNN).id(),
            1,
            time,
            0,
            0,
            "test",
            "test",
            2)
        .write(file);
    return file;
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
    Path profile = profile(dir);
    byte[] png = Files.readAllBytes(in);
    List<String[]> cases =
        List.of(
            new String[] {"k=2", "--k", "2"},
            new String[] {"budget=0.4&format=jpg&quality=70", "--budget", "0.4", "--quality", "70"},
            new String[] {"subnet=2&width=500", "--subnet", "2", "--width", "500"},
            new String[] {"deadline-ms=0", "--deadline-ms", "0"},
            new String[] {"grid=reference&k=2", "--grid", "reference", "--k", "2"},
            new String[] {"budget-ms=30", "--budget-ms", "30", "--profile", profile.toString()});
    try (ServeCommand.Running s =
        serve("--port", "0", "--workers", "1", "--batch", "8", "--profile", profile.toString())) {
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
      {"--workers", "0"},
      {"--max-body-bytes", "0"},
      {"--host", "0.0.0.0"},
    };
    String[] messages = {
      "--slo-ms must be >= 0 (0: none), got -1.0",
      "--max-queue must be 0..100000, got -1",
      "--port must be 0..65535, got 70000",
      "--max-pixels must be at least 1, got 0",
      "--workers must be 1..256, got 0",
      "--max-body-bytes must be 1..2147483639 bytes, got 0",
      "--host 0.0.0.0 is reachable from other machines: give --api-key K (clients then send"
          + " 'Authorization: Bearer K') or --insecure",
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
              () -> serve("--port", Integer.toString(taken.getLocalPort()), "--workers", "1"));
      assertTrue(e.getMessage().startsWith("cannot listen on 127.0.0.1:" + taken.getLocalPort()));
    }
  }

  @Test
  void sigtermLetsTheRequestInFlightFinishThenExitsZero() throws Exception {
    // A large image at full width, so that the request is still running when the signal comes.
    int side = 480;
    byte[] px = new byte[side * side * 3];
    new java.util.SplittableRandom(3).nextBytes(px);
    DecodedImage image = DecodedImage.of(new Rgb8Image(side, side, px));
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    ImageFiles.writeImage(image, ImageFormat.PNG, 95, "in", file);
    byte[] expected;
    try (ArmModel model = ArmModel.loadDefault(Backbone.FSRCNN)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageFiles.writeImage(
          ImageUpscale.of(
                  new Upscaler(model, Upscaler.Options.defaults()),
                  image,
                  new RoutingMode.Fixed(3),
                  null,
                  OutputSize.X4)
              .output(),
          ImageFormat.PNG,
          95,
          "x",
          out);
      expected = out.toByteArray();
    }
    List<String> cmd =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx1g",
            "-Dai.djl.offline=true",
            "-cp",
            System.getProperty("java.class.path"),
            Main.class.getName(),
            "serve",
            "--port",
            "0",
            "--workers",
            "1",
            "--profile",
            profile(dir).toString());
    Path log = dir.resolve("serve.log");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      java.net.URI uri = null;
      java.util.regex.Pattern listening =
          java.util.regex.Pattern.compile("listening on (http://\\S+/)");
      for (int i = 0; i < 1200 && uri == null && p.isAlive(); i++) {
        java.util.regex.Matcher m = listening.matcher(Files.readString(log));
        if (m.find()) {
          uri = java.net.URI.create(m.group(1));
        } else {
          Thread.sleep(50);
        }
      }
      assertTrue(uri != null, "the child never said it listens");
      java.util.concurrent.CompletableFuture<HttpResponse<byte[]>> answer =
          HTTP.sendAsync(
              HttpRequest.newBuilder(uri.resolve("/v1/upscale?subnet=3"))
                  .timeout(Duration.ofMinutes(2))
                  .POST(HttpRequest.BodyPublishers.ofByteArray(file.toByteArray()))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      // Until the upscale runs: the health probe says so.
      for (int i = 0; i < 600; i++) {
        String health =
            HTTP.send(
                    HttpRequest.newBuilder(uri.resolve("/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        if (health.contains("\"running\":1")) {
          break;
        }
        Thread.sleep(20);
      }
      assertTrue(!answer.isDone(), "the request ended before the signal; make the image larger");
      p.destroy(); // SIGTERM
      HttpResponse<byte[]> r = answer.get(2, TimeUnit.MINUTES);
      assertEquals(200, r.statusCode());
      assertArrayEquals(expected, r.body());
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child did not stop");
      assertEquals(0, p.exitValue());
      String rest = Files.readString(log);
      assertTrue(rest.contains("armsr serve: stopping"), rest);
      // and it listens no more
      final java.net.URI gone = uri;
      org.junit.jupiter.api.Assertions.assertThrows(
          java.io.IOException.class,
          () ->
              HTTP.send(
                  HttpRequest.newBuilder(gone.resolve("/healthz")).build(),
                  HttpResponse.BodyHandlers.ofString()));
    } finally {
      p.destroyForcibly();
    }
  }
}
