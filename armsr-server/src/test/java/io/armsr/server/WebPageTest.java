package io.armsr.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.armsr.imagefile.DecodedImage;
import io.armsr.imagefile.ImageFiles;
import io.armsr.imagefile.ImageFormat;
import io.armsr.imagefile.ReadLimits;
import io.armsr.infer.ArmModel;
import io.armsr.infer.ImageUpscale;
import io.armsr.infer.OutputSize;
import io.armsr.infer.ProgressiveUpscaler;
import io.armsr.infer.Upscaler;
import io.armsr.model.Backbone;
import io.armsr.route.RoutingMode;
import io.armsr.testing.Shared;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The web page in a real browser: headless Chromium, driven through the system's chromedriver,
 * uploads the example, chooses the routing, and gets exactly the bytes the engine writes for it,
 * the routing in its text and the mask beside it; a bad value shows the API's message; and "as it
 * goes" follows the server-sent events of the any-time upscale to its final image.
 *
 * <p>Needs {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver} (Debian's {@code chromium}
 * and {@code chromium-driver}; other paths with {@code -Darmsr.chromium=} and {@code
 * -Darmsr.chromedriver=}). Skipped with a message without them, except under CI (the {@code CI}
 * environment variable, set by CI services; {@code .ci/run} installs both), where it fails.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class WebPageTest {
  @TempDir Path dir;

  private static final Path CHROMIUM =
      Path.of(System.getProperty("armsr.chromium", "/usr/lib/chromium/chromium"));
  private static final Path DRIVER =
      Path.of(System.getProperty("armsr.chromedriver", "/usr/bin/chromedriver"));

  private static void requireBrowser() {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
    String missing =
        CHROMIUM + " and " + DRIVER + " (Debian: apt-get install chromium chromium-driver)";
    if (!present && System.getenv("CI") != null) {
      fail("CI is set but the browser is missing: " + missing);
    }
    assumeTrue(present, () -> "skipped: no headless browser: needs " + missing);
  }

  private WebDriver browser() {
    ChromeOptions o = new ChromeOptions();
    o.setBinary(CHROMIUM.toFile());
    // The network is closed here: without these Chromium waits on connections it tries to make.
    o.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--user-data-dir=" + dir.resolve("profile"));
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(DRIVER.toFile())
            .usingAnyFreePort()
            .build();
    ChromeDriver d = new ChromeDriver(service, o);
    d.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
    return d;
  }

  /** Waits until the page says it is done or failed, and returns which. */
  private static String awaitState(WebDriver d, String before) throws InterruptedException {
    JavascriptExecutor js = (JavascriptExecutor) d;
    for (int i = 0; i < 1200; i++) {
      Object state = js.executeScript("return document.body.dataset.state || '';");
      if (!state.equals(before) && (state.equals("done") || state.equals("failed"))) {
        return (String) state;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the page did not finish within 60 s");
  }

  /** The bytes behind the {@code <img>}'s object URL, as the page received them. */
  private static byte[] imageBytes(WebDriver d, String id) {
    Object b64 =
        ((JavascriptExecutor) d)
            .executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                    + "fetch(document.getElementById(arguments[0]).src)"
                    + ".then(r => r.arrayBuffer()).then(b => {"
                    + " const u = new Uint8Array(b); let s = '';"
                    + " for (let i = 0; i < u.length; i++) s += String.fromCharCode(u[i]);"
                    + " done(btoa(s)); });",
                id);
    return Base64.getDecoder().decode((String) b64);
  }

  private static long natural(WebDriver d, String id, String side) {
    return (Long)
        ((JavascriptExecutor) d)
            .executeScript("return document.getElementById(arguments[0]).natural" + side + ";", id);
  }

  @Test
  void thePageUpscalesWhatItIsGivenAsTheEngineDoes() throws Exception {
    requireBrowser();
    Path example = Shared.inRepo("examples/kodim23-lr.png");
    try (ArmModel model = ArmModel.loadDefault(Backbone.FSRCNN)) {
      Upscaler engine = new Upscaler(model, Upscaler.Options.defaults());
      DecodedImage in = ImageFiles.readImage(example, ReadLimits.DEFAULT);
      ImageUpscale up =
          ImageUpscale.of(engine, in, new RoutingMode.Tradeoff(2), null, OutputSize.X4);
      ByteArrayOutputStream expected = new ByteArrayOutputStream();
      ImageFiles.writeImage(up.output(), ImageFormat.PNG, 95, "x", expected);
      int[] c = up.routing().classes();
      try (ArmServer server = ArmServer.start(engine, ServerOptions.local(0, 1))) {
        WebDriver d = browser();
        try {
          d.get(server.uri().toString());
          assertEquals("armsr: any-time super-resolution", d.getTitle());
          d.findElement(By.id("file")).sendKeys(example.toAbsolutePath().toString());
          WebElement value = d.findElement(By.id("value"));
          value.clear();
          value.sendKeys("2");
          d.findElement(By.id("go")).click();
          assertEquals("done", awaitState(d, ""));
          String stats = d.findElement(By.id("stats")).getText();
          assertTrue(stats.contains("size 768x512, routing k2.0"), stats);
          assertTrue(
              stats.contains(
                  "patches 35 [per subnet " + c[0] + "," + c[1] + "," + c[2] + "," + c[3] + "]"),
              stats);
          assertArrayEquals(expected.toByteArray(), imageBytes(d, "result"));
          assertEquals(768, natural(d, "result", "Width"));
          assertEquals(768, natural(d, "mask", "Width"));
          assertTrue(natural(d, "mask", "Height") > 512, "the legend goes below the image");
          assertTrue(d.findElement(By.id("download")).isDisplayed());

          value.clear();
          value.sendKeys("abc");
          d.findElement(By.id("go")).click();
          assertEquals("failed", awaitState(d, "done"));
          assertEquals(
              "bad_parameter: k must be a number, got 'abc'",
              d.findElement(By.id("error")).getText());

          // As it goes: the page follows the events and ends with the any-time image.
          value.clear();
          value.sendKeys("2");
          d.findElement(By.id("live")).click();
          d.findElement(By.id("go")).click();
          assertEquals("done", awaitState(d, "failed"));
          int planned = 35 - c[0];
          assertEquals(
              "upgraded " + planned + " of " + planned + " patches",
              d.findElement(By.id("progress")).getText().replaceAll(", [0-9]+ ms$", ""));
          assertTrue(
              d.findElement(By.id("stats")).getText().contains("routing k2.0 (any-time)"),
              d.findElement(By.id("stats")).getText());
          ByteArrayOutputStream anytime = new ByteArrayOutputStream();
          ImageFiles.writeImage(
              ImageUpscale.of(
                      engine,
                      in,
                      new RoutingMode.Tradeoff(2),
                      ProgressiveUpscaler.Stop.never(),
                      OutputSize.X4)
                  .output(),
              ImageFormat.PNG,
              95,
              "x",
              anytime);
          assertArrayEquals(anytime.toByteArray(), imageBytes(d, "result"));
        } finally {
          d.quit();
        }
      }
    }
  }
}
