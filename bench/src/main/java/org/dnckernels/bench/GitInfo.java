package org.dnckernels.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The commit the benchmarks were built from, for the report's header. */
final class GitInfo {
  private GitInfo() {}

  /**
   * {@code <commit>} or {@code <commit> (dirty)} when tracked or untracked files differ from it, from {@code git}
   * run in {@code dir}; {@code unknown (why)} outside a checkout or without git.
   */
  static String describe(Path dir) {
    Optional<String> head = git(dir, "rev-parse", "HEAD");
    if (head.isEmpty()) {
      return "unknown (not a git checkout, or no git)";
    }
    Optional<String> status = git(dir, "status", "--porcelain");
    return head.get() + (status.isEmpty() ? " (status unknown)" : status.get().isEmpty() ? "" : " (dirty)");
  }

  private static Optional<String> git(Path dir, String... args) {
    try {
      Process p = new ProcessBuilder().command(concat("git", args)).directory(dir.toAbsolutePath().toFile())
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroy();
        return Optional.empty();
      }
      return p.exitValue() == 0 ? Optional.of(text) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private static List<String> concat(String first, String... rest) {
    List<String> all = new java.util.ArrayList<>(List.of(first));
    all.addAll(List.of(rest));
    return all;
  }
}
