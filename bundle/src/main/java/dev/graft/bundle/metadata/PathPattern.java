package dev.graft.bundle.metadata;

/**
 * Shell-style wildcard matching for delegation paths, part by part: {@code *} matches any run of
 * characters and {@code ?} any one character, within one {@code /}-separated part; {@code [...]}
 * classes are not special (a literal match), which is stricter than fnmatch and errs toward
 * delegating less.
 */
final class PathPattern {
  private PathPattern() {}

  static boolean matches(String pattern, String path) {
    String[] patternParts = pattern.split("/", -1);
    String[] pathParts = path.split("/", -1);
    if (patternParts.length != pathParts.length) {
      return false;
    }
    for (int i = 0; i < patternParts.length; i++) {
      if (!matchPart(patternParts[i], pathParts[i])) {
        return false;
      }
    }
    return true;
  }

  /** Iterative wildcard match with single-star backtracking: linear in practice, no recursion. */
  private static boolean matchPart(String pattern, String text) {
    int p = 0;
    int t = 0;
    int starP = -1;
    int starT = 0;
    while (t < text.length()) {
      if (p < pattern.length() && pattern.charAt(p) == '*') {
        starP = p++;
        starT = t;
      } else if (p < pattern.length()
          && (pattern.charAt(p) == '?' || pattern.charAt(p) == text.charAt(t))) {
        p++;
        t++;
      } else if (starP >= 0) {
        p = starP + 1;
        t = ++starT;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }
}
