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
  /**
   * A backend that can be loaded here.
   *
   * @param name        the backend's name
   * @param priority    its priority for {@code auto}
   * @param description what it would use (species, device, threads), kept in {@link #reason()}
   * @return the info, with no hint
   */
  public static BackendInfo available(String name, int priority, String description) {
    return new BackendInfo(name, priority, true, description, null);
  }

  /**
   * A backend that cannot be loaded here.
   *
   * @param name     the backend's name
   * @param priority its priority for {@code auto}
   * @param reason   why it cannot run
   * @param hint     how a user could enable it, or {@code null} when nothing can be done
   * @return the info
   */
  public static BackendInfo unavailable(String name, int priority, String reason, String hint) {
    return new BackendInfo(name, priority, false, reason, hint);
  }

  @Override
  public String toString() {
    return name + (available ? " (available: " : " (unavailable: ") + reason
        + (hint == null ? "" : "; " + hint) + ")";
  }
}
