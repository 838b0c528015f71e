package dev.graft.gateway.runtime;

/**
 * One line a module logged, through {@code graft.log} or WASI stdout/stderr.
 *
 * @param level the level the module gave ({@code log}), or 1 for stdout and 2 for stderr
 * @param source {@code log}, {@code stdout} or {@code stderr}
 * @param message the line, decoded as UTF-8 (malformed bytes replaced), at most {@link
 *     GraftImports#MAX_LOG_BYTES} bytes of it
 */
public record LogLine(int level, String source, String message) {}
