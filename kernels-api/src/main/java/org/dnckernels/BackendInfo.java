package org.dnckernels;

/**
 * What {@link DncKernels#backends()} reports about one backend.
 *
 * @param name      {@code scalar}, {@code simd}, {@code cuda}
 * @param priority  higher is preferred by {@code auto}
 * @param available whether it can be loaded here
 * @param reason    why not, when unavailable (else a short description of what it would use)
 * @param hint      how a user could enable it, or {@code null} when there is nothing to do
 */
public record BackendInfo(String name, int priority, boolean available, String reason, String hint) {
  public static BackendInfo available(String name, int priority, String description) {
    return new BackendInfo(name, priority, true, description, null);
  }

  public static BackendInfo unavailable(String name, int priority, String reason, String hint) {
    return new BackendInfo(name, priority, false, reason, hint);
  }

  @Override
  public String toString() {
    return name + (available ? " (available: " : " (unavailable: ") + reason
        + (hint == null ? "" : "; " + hint) + ")";
  }
}
