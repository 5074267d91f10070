package io.armsr.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.imagefile.AtomicFiles;
import io.armsr.imagefile.ImageReadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Planning, skipping, failures and stale temporaries of a folder run (no network involved). */
class FolderJobTest {
  @TempDir Path dir;

  private Path touch(Path folder, String name) throws IOException {
    Files.createDirectories(folder);
    return Files.write(folder.resolve(name), new byte[] {1});
  }

  @Test
  void plansImagesSortedWithTheirOutputNames() throws IOException {
    Path in = dir.resolve("in");
    touch(in, "b.JPG");
    touch(in, "a.png");
    touch(in, "c.webp");
    touch(in, "notes.txt");
    Files.createDirectories(in.resolve("sub.png"));
    FolderJob job = FolderJob.plan(in, dir.resolve("out"), null, false);
    List<String> outs = job.items().stream().map(i -> i.output().getFileName().toString()).toList();
    assertEquals(List.of("a.png", "b.JPG", "c.png"), outs);
    FolderJob asTif = FolderJob.plan(in, dir.resolve("out"), "tif", false);
    assertEquals("b.tif", asTif.items().get(1).output().getFileName().toString());
  }

  @Test
  void anOutputNameTakenTwiceFailsTheSecondInput() throws IOException {
    Path in = dir.resolve("in");
    touch(in, "a.bmp");
    touch(in, "a.png");
    FolderJob job = FolderJob.plan(in, dir.resolve("out"), "png", false);
    assertNull(job.items().get(0).clash());
    assertTrue(job.items().get(1).clash().contains("a.bmp"), job.items().get(1).clash());
  }

  @Test
  void refusesAFolderWithoutImages() throws IOException {
    Path in = dir.resolve("in");
    touch(in, "notes.txt");
    var e =
        assertThrows(IllegalArgumentException.class, () -> FolderJob.plan(in, dir, null, false));
    assertTrue(e.getMessage().contains("no images"), e.getMessage());
  }

  @Test
  void skipsExistingOutputsContinuesPastFailuresAndCounts() throws IOException {
    Path in = dir.resolve("in");
    Path out = dir.resolve("out");
    for (String n : List.of("a.png", "b.png", "c.png", "d.png")) {
      touch(in, n);
    }
    touch(out, "b.png");
    FolderJob job = FolderJob.plan(in, out, null, false);
    assertTrue(job.hasWork());
    List<String> processed = new ArrayList<>();
    FolderJob.Summary s =
        job.run(
            (i, o) -> {
              processed.add(i.getFileName().toString());
              if (i.getFileName().toString().equals("c.png")) {
                throw new ImageReadException(i, "corrupt or truncated PNG");
              }
              AtomicFiles.write(o, new byte[] {2});
              return List.of();
            },
            new FolderJob.Listener() {});
    assertEquals(List.of("a.png", "c.png", "d.png"), processed);
    assertEquals(2, s.done());
    assertEquals(1, s.skipped());
    assertEquals(1, s.failed());
    assertTrue(s.failures().get(0).reason().contains("c.png: corrupt"));
    // Everything but the failure exists now; with --overwrite all four are redone.
    assertTrue(FolderJob.plan(in, out, null, false).hasWork());
    touch(out, "c.png");
    assertFalse(FolderJob.plan(in, out, null, false).hasWork());
    assertTrue(FolderJob.plan(in, out, null, true).hasWork());
  }

  @Test
  void severalWorkersProcessEveryItemOnceAndReportInInputOrder() throws IOException {
    Path in = dir.resolve("in");
    Path out = dir.resolve("out");
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      names.add(String.format("img%02d.png", i));
      touch(in, names.get(i));
    }
    touch(out, "img03.png");
    FolderJob job = FolderJob.plan(in, out, null, false);
    java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    java.util.Map<String, Integer> calls = new java.util.concurrent.ConcurrentHashMap<>();
    List<String> reported = new ArrayList<>();
    FolderJob.Summary s =
        job.run(
            (i, o) -> {
              String name = i.getFileName().toString();
              calls.merge(name, 1, Integer::sum);
              threads.add(Thread.currentThread().getName());
              try {
                // Later items finish first, so the reporting order is really imposed.
                Thread.sleep(name.equals("img00.png") ? 60 : 5);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              if (name.equals("img07.png")) {
                throw new ImageReadException(i, "corrupt or truncated PNG");
              }
              AtomicFiles.write(o, new byte[] {1});
              return List.of();
            },
            new FolderJob.Listener() {
              @Override
              public void started(int index, int total, FolderJob.Item item) {
                reported.add("start " + item.name());
              }

              @Override
              public void finished(int index, int total, FolderJob.Outcome outcome) {
                reported.add("end " + outcome.item().name());
              }
            },
            3);
    List<String> expected = new ArrayList<>();
    for (String n : names) {
      expected.add("start " + n);
      expected.add("end " + n);
    }
    assertEquals(expected, reported);
    assertEquals(11, calls.size(), "every item but the skipped one, once: " + calls);
    assertTrue(calls.values().stream().allMatch(c -> c == 1), calls.toString());
    assertTrue(threads.size() > 1, "ran on several threads: " + threads);
    assertEquals(10, s.done());
    assertEquals(1, s.skipped());
    assertEquals(1, s.failed());
    assertEquals("img07.png", s.failures().get(0).item().name());
  }

  /**
   * Groups: consecutive items, skipped and clashing ones left out of the task's list; per-item
   * results and a thrown exception (failing its whole group) reported in input order.
   */
  @Test
  void groupsLeaveOutSkippedItemsAndReportEachItemInOrder() throws IOException {
    Path in = dir.resolve("in");
    Path out = dir.resolve("out");
    for (int i = 0; i < 10; i++) {
      touch(in, String.format("img%d.png", i));
    }
    touch(in, "img1.bmp"); // img1.png, after it, clashes with it once both go to png
    touch(out, "img2.png");
    FolderJob job = FolderJob.plan(in, out, "png", false);
    // Items in name order: img0.png img1.bmp img1.png img2.png ... img9.png (11 items); groups of
    // four: [img0.png img1.bmp img1.png img2.png] [img3..6.png] [img7..9.png].
    List<List<String>> given = java.util.Collections.synchronizedList(new ArrayList<>());
    List<String> reported = new ArrayList<>();
    FolderJob.Summary s =
        job.run(
            items -> {
              List<String> names = items.stream().map(FolderJob.Item::name).toList();
              given.add(names);
              if (names.contains("img8.png")) {
                throw new IllegalStateException("the engine failed");
              }
              List<FolderJob.ItemResult> results = new ArrayList<>();
              for (FolderJob.Item item : items) {
                results.add(
                    item.name().equals("img5.png")
                        ? FolderJob.ItemResult.failed(
                            new ImageReadException(item.input(), "corrupt PNG"), 0.5)
                        : FolderJob.ItemResult.done(List.of("note " + item.name()), 0.25));
              }
              return results;
            },
            new FolderJob.Listener() {
              @Override
              public void finished(int index, int total, FolderJob.Outcome o) {
                // A thrown exception's time is the group's, shared: not a fixed number.
                boolean shared = o.reason().equals("the engine failed");
                reported.add(
                    index
                        + " "
                        + o.item().name()
                        + " "
                        + o.status()
                        + (shared ? "" : " " + o.seconds()));
              }
            },
            2,
            4);
    java.util.Set<List<String>> groups = new java.util.HashSet<>(given);
    assertEquals(
        java.util.Set.of(
            List.of("img0.png", "img1.bmp"),
            List.of("img3.png", "img4.png", "img5.png", "img6.png"),
            List.of("img7.png", "img8.png", "img9.png")),
        groups);
    assertEquals(3, given.size());
    assertEquals(
        List.of(
            "0 img0.png DONE 0.25",
            "1 img1.bmp DONE 0.25",
            "2 img1.png FAILED 0.0",
            "3 img2.png SKIPPED 0.0",
            "4 img3.png DONE 0.25",
            "5 img4.png DONE 0.25",
            "6 img5.png FAILED 0.5",
            "7 img6.png DONE 0.25",
            "8 img7.png FAILED",
            "9 img8.png FAILED",
            "10 img9.png FAILED"),
        reported);
    assertEquals(5, s.done());
    assertEquals(1, s.skipped());
    assertEquals(5, s.failed());
    assertTrue(s.failures().get(1).reason().contains("img5.png: corrupt PNG"));
    assertEquals("the engine failed", s.failures().get(4).reason());
  }

  @Test
  void temporaryNamesMatchThoseAtomicFilesWrites() throws IOException {
    Path target = dir.resolve("photo.final.png");
    List<String> seen = new ArrayList<>();
    AtomicFiles.write(
        target,
        stream -> {
          try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> seen.add(p.getFileName().toString()));
          }
        });
    assertEquals(1, seen.size(), seen.toString());
    assertEquals("photo.final.png", FolderJob.temporaryTarget(seen.get(0)));
    assertNull(FolderJob.temporaryTarget("photo.png"));
    assertNull(FolderJob.temporaryTarget("notes.tmp"));
  }

  @Test
  void removesOnlyStaleTemporariesOfItsOwnOutputs() throws IOException {
    Path in = dir.resolve("in");
    Path out = dir.resolve("out");
    touch(in, "a.png");
    touch(in, "b.jpg");
    Path staleA = touch(out, ".a.png.1f2e3d4c5b6a7980.tmp");
    Path freshB = touch(out, ".b.jpg.00ff.tmp");
    Path foreign = touch(out, ".other.png.1234.tmp");
    Path plain = touch(out, "notes.tmp");
    Instant start = Instant.now();
    FileTime old = FileTime.from(start.minusSeconds(60));
    for (Path p : List.of(staleA, foreign, plain)) {
      Files.setLastModifiedTime(p, old);
    }
    Files.setLastModifiedTime(freshB, FileTime.from(start.plusSeconds(60)));
    List<Path> deleted = FolderJob.plan(in, out, null, false).removeStaleTemporaries(start);
    assertEquals(1, deleted.size(), deleted.toString());
    assertFalse(Files.exists(staleA));
    assertTrue(Files.exists(freshB) && Files.exists(foreign) && Files.exists(plain));
  }
}
