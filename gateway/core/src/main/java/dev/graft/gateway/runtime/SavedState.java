package dev.graft.gateway.runtime;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A state blob a module saved with {@code graft_save}, tagged with the module's name and the
 * manifest's {@code state_version} so a successor only receives a state it says it accepts.
 */
// The blob is copied in and out, and equals/hashCode compare its contents.
@SuppressWarnings("ArrayRecordComponent")
public record SavedState(String moduleName, int stateVersion, byte[] blob) {
  public SavedState {
    blob = blob.clone();
  }

  @Override
  public byte[] blob() {
    return blob.clone();
  }

  int length() {
    return blob.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SavedState other
        && moduleName.equals(other.moduleName)
        && stateVersion == other.stateVersion
        && Arrays.equals(blob, other.blob);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * moduleName.hashCode() + stateVersion) + Arrays.hashCode(blob);
  }

  @Override
  public String toString() {
    // The blob can hold process data; show its size and a short prefix only.
    String prefix = HexFormat.of().formatHex(blob, 0, Math.min(blob.length, 8));
    return "SavedState["
        + moduleName
        + " v"
        + stateVersion
        + ", "
        + blob.length
        + " bytes "
        + prefix
        + "…]";
  }
}
