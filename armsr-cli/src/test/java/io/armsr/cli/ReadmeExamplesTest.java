package io.armsr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.ImageFiles;
import io.armsr.testing.Shared;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ```java} block of README.md is a complete program that compiles against the library
 * and, run as {@code main(input, output)} on {@code examples/kodim23-lr.png}, writes an image
 * exactly 4x the input in each dimension. Each block is one compilation unit (imports and one
 * public class with {@code public static void main(String[])}); the public class names the file.
 */
class ReadmeExamplesTest {
  private static final Pattern JAVA_BLOCK =
      Pattern.compile("^```java[ \\t]*\\R(.*?)^```[ \\t]*$", Pattern.MULTILINE | Pattern.DOTALL);
  private static final Pattern PUBLIC_CLASS =
      Pattern.compile(
          "^public\\s+(?:final\\s+|abstract\\s+)*(?:class|record|interface|enum)\\s+(\\w+)",
          Pattern.MULTILINE);

  @TempDir Path dir;

  /** The fenced java blocks of a markdown text, in order. */
  static List<String> javaBlocks(String markdown) {
    List<String> blocks = new ArrayList<>();
    Matcher m = JAVA_BLOCK.matcher(markdown);
    while (m.find()) {
      blocks.add(m.group(1));
    }
    return blocks;
  }

  @Test
  void extractsFencedJavaBlocksOnly() {
    String md =
        "text\n```sh\nls\n```\n```java\nclass A {}\n```\nmore\n```java\nclass B {}\n```\n"
            + "```\nplain\n```\n";
    assertEquals(List.of("class A {}\n", "class B {}\n"), javaBlocks(md));
  }

  @Test
  void everyJavaBlockCompilesAndUpscalesByFour() throws Exception {
    String readme = Files.readString(Shared.inRepo("README.md"), StandardCharsets.UTF_8);
    List<String> blocks = javaBlocks(readme);
    assertFalse(blocks.isEmpty(), "README.md has no ```java block");
    Path input = Shared.inRepo("examples/kodim23-lr.png");
    Rgb8Image lr = ImageFiles.read(input);
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    assertTrue(compiler != null, "no system Java compiler (a JRE instead of a JDK?)");
    String classPath = classPath();

    for (int b = 0; b < blocks.size(); b++) {
      String source = blocks.get(b);
      String where = "README.md java block " + (b + 1) + " of " + blocks.size();
      Matcher name = PUBLIC_CLASS.matcher(source);
      if (!name.find()) {
        fail(where + " declares no public class:\n" + source);
      }
      String className = name.group(1);
      Path src = Files.createDirectories(dir.resolve("src" + b));
      Path classes = Files.createDirectories(dir.resolve("classes" + b));
      Path file = src.resolve(className + ".java");
      Files.writeString(file, source, StandardCharsets.UTF_8);

      DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
      StringWriter out = new StringWriter();
      boolean compiled;
      try (StandardJavaFileManager files =
          compiler.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
        compiled =
            compiler
                .getTask(
                    out,
                    files,
                    diagnostics,
                    List.of("-classpath", classPath, "-d", classes.toString(), "-proc:none"),
                    null,
                    files.getJavaFileObjects(file))
                .call();
      }
      if (!compiled) {
        StringBuilder msg = new StringBuilder(where + " (" + className + ") does not compile:\n");
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
          msg.append("  line ")
              .append(d.getLineNumber())
              .append(": ")
              .append(d.getMessage(Locale.ROOT))
              .append('\n');
        }
        msg.append(out);
        System.err.print(msg);
        fail(msg.toString());
      }

      Path output = Files.createDirectories(dir.resolve("out" + b)).resolve("out.png");
      try (URLClassLoader loader =
          new URLClassLoader(
              new URL[] {classes.toUri().toURL()}, ReadmeExamplesTest.class.getClassLoader())) {
        Class<?> main = Class.forName(className, true, loader);
        Method m = main.getMethod("main", String[].class);
        assertTrue(Modifier.isStatic(m.getModifiers()), where + ": main is not static");
        try {
          m.invoke(null, (Object) new String[] {input.toString(), output.toString()});
        } catch (InvocationTargetException e) {
          throw new AssertionError(where + " (" + className + ") failed when run", e.getCause());
        }
      }
      assertTrue(Files.isRegularFile(output), where + " wrote no " + output);
      Rgb8Image sr = ImageFiles.read(output);
      assertEquals(4 * lr.width(), sr.width(), where + ": output width");
      assertEquals(4 * lr.height(), sr.height(), where + ": output height");
    }
  }

  /**
   * The test class path as a compiler argument: {@code java.class.path}, with any manifest-only jar
   * (as a forked test JVM may get) replaced by the entries of its {@code Class-Path}.
   */
  private static String classPath() throws IOException {
    List<String> entries = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      entries.add(e);
      if (e.endsWith(".jar") && Files.isRegularFile(Path.of(e))) {
        try (JarFile jar = new JarFile(e)) {
          Manifest mf = jar.getManifest();
          String cp = mf == null ? null : mf.getMainAttributes().getValue("Class-Path");
          if (cp != null && !cp.isBlank()) {
            for (String url : cp.trim().split("\\s+")) {
              try {
                entries.add(Path.of(new URL(new URL("file:" + e), url).toURI()).toString());
              } catch (java.net.URISyntaxException | IllegalArgumentException ex) {
                // not a file URL: leave it to the compiler to ignore
              }
            }
          }
        }
      }
    }
    return String.join(File.pathSeparator, entries);
  }
}
