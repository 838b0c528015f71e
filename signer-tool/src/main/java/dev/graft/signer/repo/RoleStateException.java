package dev.graft.signer.repo;

import dev.graft.bundle.metadata.RoleType;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A role is not in the state an operation needs: nothing staged, nothing published yet, or a staged
 * version past its expiry. The message states the fact; the fields say which role of which
 * repository, so that a command-line tool can add the command that moves the role on (this library
 * names no commands).
 */
public final class RoleStateException extends RepoException {
  private static final long serialVersionUID = 1L;

  /** What the role lacks. */
  public enum State {
    /** No version of the role is staged. */
    NOTHING_STAGED,
    /** No version of the role has been published yet. */
    NOTHING_PUBLISHED,
    /** The staged version's expiry has passed. */
    STAGED_EXPIRED
  }

  private final transient Path directory;
  private final RoleType role;
  private final State state;
  private final @Nullable Instant expires;

  /** A role that lacks a staged or published version. */
  public RoleStateException(String fact, Path directory, RoleType role, State state) {
    this(fact, directory, role, state, null);
  }

  /** A role whose staged version expired at {@code expires}. */
  public RoleStateException(String fact, Path directory, RoleType role, Instant expires) {
    this(fact, directory, role, State.STAGED_EXPIRED, expires);
  }

  private RoleStateException(
      String fact, Path directory, RoleType role, State state, @Nullable Instant expires) {
    super(fact);
    this.directory = directory;
    this.role = role;
    this.state = state;
    this.expires = expires;
  }

  /** The repository's directory. */
  public Path directory() {
    return directory;
  }

  /** The role that is not in the state the operation needs. */
  public RoleType role() {
    return role;
  }

  /** What the role lacks. */
  public State state() {
    return state;
  }

  /** When the staged version expired, for {@link State#STAGED_EXPIRED}. */
  public Optional<Instant> expires() {
    return Optional.ofNullable(expires);
  }
}
