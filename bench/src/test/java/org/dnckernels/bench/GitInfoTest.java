package org.dnckernels.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitInfoTest {
  @TempDir Path tmp;

  @Test
  void outsideACheckoutTheCommitIsUnknownNotAnError() {
    assertTrue(GitInfo.describe(tmp).startsWith("unknown"), GitInfo.describe(tmp));
  }

  @Test
  void inThisCheckoutItIsAFullCommitHash() {
    // the build runs inside the repository; a source tarball without .git gives "unknown", which is fine too
    String d = GitInfo.describe(Path.of(""));
    assertTrue(d.matches("[0-9a-f]{40}( \\(dirty\\))?") || d.startsWith("unknown"), d);
  }
}
