package dev.graft.signer.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import picocli.CommandLine;

/** Reads durations as people write them: {@code 1y}, {@code 12w}, {@code 30d}, {@code 6h}, ISO. */
final class Lifetime implements CommandLine.ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    String text = value.strip().toLowerCase(Locale.ROOT);
    try {
      if (text.startsWith("p")) {
        return positive(Duration.parse(value.strip().toUpperCase(Locale.ROOT)), value);
      }
      if (text.length() >= 2) {
        long amount = Long.parseLong(text.substring(0, text.length() - 1));
        Duration duration =
            switch (text.charAt(text.length() - 1)) {
              case 'y' -> Duration.ofDays(365 * amount);
              case 'w' -> Duration.ofDays(7 * amount);
              case 'd' -> Duration.ofDays(amount);
              case 'h' -> Duration.ofHours(amount);
              default -> null;
            };
        if (duration != null) {
          return positive(duration, value);
        }
      }
    } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
      // Falls through to the message below.
    }
    throw new CommandLine.TypeConversionException(
        "'" + value + "' is not a duration: write it like 1y, 12w, 30d or 6h");
  }

  private static Duration positive(Duration duration, String value) {
    if (duration.isNegative() || duration.isZero()) {
      throw new CommandLine.TypeConversionException("duration '" + value + "' must be positive");
    }
    return duration;
  }
}
