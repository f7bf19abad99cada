package dev.promptcanary.sdk;

import dev.promptcanary.serving.PromptVersion;
import dev.promptcanary.serving.RoutingSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * The last routing snapshot and the versions it names, kept on disk so a client started while the
 * server is down serves what the server last said. Written whole to a temporary file and moved into
 * place, so a crash mid-write leaves the previous snapshot.
 */
final class SnapshotFile {
  record Saved(RoutingSnapshot snapshot, List<PromptVersion> versions) {}

  private final Path file;

  SnapshotFile(Path file) {
    this.file = file;
  }

  Optional<Saved> load() {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Json.MAPPER.readValue(file.toFile(), Saved.class));
    } catch (IOException unreadable) {
      return Optional.empty(); // a damaged cache is no cache; the server will send a fresh one
    }
  }

  void save(Saved saved) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    try {
      Json.MAPPER.writeValue(temp.toFile(), saved);
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
