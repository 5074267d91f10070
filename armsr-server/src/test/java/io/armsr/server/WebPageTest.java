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
 * uploads the example on {@code auto}, sees the bicubic image at once and the any-time refinement
 * (server-sent events) end on exactly the engine's image, 4x the input; checks the routing summary,
 * the before/after slider against bicubic, the download, the mask toggle, the budget control, and
 * the API's message for a file that is no image; and saves a screenshot as {@code
 * target/web-page.png}.
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

  private static byte[] png(DecodedImage image) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageFiles.writeImage(image, ImageFormat.PNG, 95, "x", out);
    return out.toByteArray();
  }

  private static Object js(WebDriver d, String script, Object... args) {
    return ((JavascriptExecutor) d).executeScript(script, args);
  }

  /** Where the screenshot goes: this module's target folder. */
  static final Path SCREENSHOT = Path.of("target", "web-page.png");

  @Test
  void thePageUpscalesWhatItIsGivenAsTheEngineDoes() throws Exception {
    requireBrowser();
    Path example = Shared.inRepo("examples/kodim23-lr.png");
    try (ArmModel model = ArmModel.loadDefault(Backbone.FSRCNN)) {
      Upscaler engine = new Upscaler(model, Upscaler.Options.defaults());
      DecodedImage in = ImageFiles.readImage(example, ReadLimits.DEFAULT);
      // auto without an SLO is k=4; followed as events to its end
      ImageUpscale anytime =
          ImageUpscale.of(
              engine,
              in,
              new RoutingMode.Tradeoff(4),
              ProgressiveUpscaler.Stop.never(),
              OutputSize.X4);
      ImageUpscale bicubic =
          ImageUpscale.of(engine, in, new RoutingMode.Fixed(0), null, OutputSize.X4);
      ImageUpscale budget =
          ImageUpscale.of(engine, in, new RoutingMode.Budget(0.3), null, OutputSize.X4);
      int[] c = anytime.routing().classes();
      try (ArmServer server = ArmServer.start(engine, ServerOptions.local(0, 1))) {
        WebDriver d = browser();
        try {
          d.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 1400));
          d.get(server.uri().toString());
          assertEquals("armsr: any-time super-resolution", d.getTitle());
          assertTrue(d.findElement(By.id("auto")).isSelected(), "auto is the default");
          assertTrue(!d.findElement(By.id("budget")).isEnabled(), "the budget follows auto");
          d.findElement(By.id("file")).sendKeys(example.toAbsolutePath().toString());
          d.findElement(By.id("go")).click();
          assertEquals("done", awaitState(d, ""));
          // the any-time refinement was shown, and ended on the final image of the events
          assertTrue(
              Integer.parseInt((String) js(d, "return document.body.dataset.previews;")) >= 1);
          int planned = 35 - c[0];
          assertEquals(
              "upgraded " + planned + " of " + planned + " patches",
              d.findElement(By.id("progress")).getText().replaceAll(", [0-9]+ ms$", ""));
          assertArrayEquals(png(anytime.output()), imageBytes(d, "result"));
          // the displayed image is 4x the input
          assertEquals(4 * in.width(), natural(d, "result", "Width"));
          assertEquals(4 * in.height(), natural(d, "result", "Height"));
          // the "before" of the slider is the bicubic branch
          assertArrayEquals(png(bicubic.output()), imageBytes(d, "bicubic"));
          String stats = d.findElement(By.id("stats")).getText();
          assertTrue(stats.contains("size 768x512, routing k4.0 (any-time)"), stats);
          assertTrue(
              stats.contains(
                  "patches 35 [per subnet " + c[0] + "," + c[1] + "," + c[2] + "," + c[3] + "]"),
              stats);
          assertTrue(
              stats.contains(
                  String.format(
                      java.util.Locale.ROOT,
                      "FLOPs share %.3f",
                      anytime.routing().meanFlops() / anytime.routing().costs()[3])),
              stats);
          assertTrue(stats.contains("predicted gain over bicubic"), stats);
          // the before/after slider clips the result
          js(
              d,
              "const s = document.getElementById('slider'); s.value = 20;"
                  + " s.dispatchEvent(new Event('input'));");
          assertEquals(
              "inset(0px 0px 0px 20%)",
              js(d, "return getComputedStyle(document.getElementById('result')).clipPath;"));
          // download: the final image
          WebElement download = d.findElement(By.id("download"));
          assertTrue(download.isDisplayed());
          assertEquals("armsr.png", download.getAttribute("download"));
          assertEquals(
              js(d, "return document.getElementById('result').src;"),
              download.getAttribute("href"));
          Files.createDirectories(SCREENSHOT.getParent());
          Files.write(
              SCREENSHOT,
              ((org.openqa.selenium.TakesScreenshot) d)
                  .getScreenshotAs(org.openqa.selenium.OutputType.BYTES));
          // the mask toggle shows the routing mask (its legend below the image)
          d.findElement(By.id("showMask")).click();
          assertTrue(d.findElement(By.id("mask")).isDisplayed());
          assertTrue(!d.findElement(By.id("result")).isDisplayed());
          assertEquals(768, natural(d, "mask", "Width"));
          assertTrue(natural(d, "mask", "Height") > 512, "the legend goes below the image");
          d.findElement(By.id("showMask")).click();

          // A budget instead of auto, without the refinement: the engine's budget routing.
          d.findElement(By.id("auto")).click();
          js(
              d,
              "const b = document.getElementById('budget'); b.value = 0.3;"
                  + " b.dispatchEvent(new Event('input'));");
          assertEquals("0.3", d.findElement(By.id("budgetValue")).getText());
          d.findElement(By.id("live")).click();
          js(d, "document.body.dataset.state = '';");
          d.findElement(By.id("go")).click();
          assertEquals("done", awaitState(d, ""));
          assertTrue(
              d.findElement(By.id("stats")).getText().contains("routing budget0.3"),
              d.findElement(By.id("stats")).getText());
          assertArrayEquals(png(budget.output()), imageBytes(d, "result"));

          // What is no image: the API's message.
          Path text = dir.resolve("notes.txt");
          Files.writeString(text, "not an image");
          d.findElement(By.id("file")).sendKeys(text.toAbsolutePath().toString());
          d.findElement(By.id("go")).click();
          assertEquals("failed", awaitState(d, "done"));
          assertTrue(
              d.findElement(By.id("error")).getText().startsWith("unsupported_media_type: "),
              d.findElement(By.id("error")).getText());
        } finally {
          d.quit();
        }
      }
    }
  }
}
