package dev.graft.signer.cli;

import dev.graft.bundle.metadata.RoleType;
import dev.graft.signer.repo.RepoException;
import dev.graft.signer.repo.RoleStateException;
import java.nio.file.Path;

/**
 * The commands that move a role of an image repository on, as hints in messages: the one place that
 * names them. The repository library reports a role's state ({@link RoleStateException}); the
 * messages a user reads add the command from here.
 */
public final class NextSteps {
  private NextSteps() {}

  /** The next thing to do for a role that has nothing staged (or, for targets, published). */
  public static String nextStep(Path directory, RoleType role) {
    return switch (role) {
      case ROOT -> "stage one with `graft repo rotate-root " + directory + "`";
      case TARGETS -> "stage one with `graft release add " + directory + " BUNDLE`";
      default -> "snapshot and timestamp are signed by the online keys, never staged";
    };
  }

  /**
   * The command that stages {@code role} again with a fresh expiry, or refreshes an online role.
   */
  public static String renewCommand(Path directory, RoleType role) {
    return switch (role) {
      case ROOT -> "graft repo renew " + directory + " root";
      case TARGETS -> "graft repo renew " + directory + " targets";
      default -> "graft repo refresh-timestamp " + directory;
    };
  }

  /** {@link #renewCommand} quoted, as it stands inside a sentence. */
  public static String renewal(Path directory, RoleType role) {
    return "`" + renewCommand(directory, role) + "`";
  }

  /**
   * What to do about a role that expired or expires soon: renew it, and sign it if it is offline.
   */
  public static String renewalAdvice(Path directory, RoleType role) {
    String run = "run " + renewCommand(directory, role);
    return switch (role) {
      case ROOT, TARGETS -> run + " and collect " + role.typeName() + " signatures";
      default -> run;
    };
  }

  /** The message a user reads for {@code e}: its own, and for a role's state the command to run. */
  public static String message(RepoException e) {
    String fact = String.valueOf(e.getMessage());
    if (!(e instanceof RoleStateException state)) {
      return fact;
    }
    return switch (state.state()) {
      case NOTHING_STAGED, NOTHING_PUBLISHED ->
          fact + "; " + nextStep(state.directory(), state.role());
      case STAGED_EXPIRED ->
          fact
              + ". Stage it again with a fresh expiry ("
              + renewal(state.directory(), state.role())
              + ") and collect its signatures";
    };
  }
}
