/**
 * The {@code graft} command line for release engineers: the top command, the terminal it talks to,
 * exit codes, and key references shared by every command.
 */
@NullMarked
package dev.graft.signer;

import org.jspecify.annotations.NullMarked;
