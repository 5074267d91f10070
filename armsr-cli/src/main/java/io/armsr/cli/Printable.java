package io.armsr.cli;

/**
 * Text from outside (file names, messages that quote them) made safe to print on one line: a file
 * name may hold a newline, a carriage return or a terminal escape, and printed as it is it would
 * forge a line of the folder summary ({@code failed: NAME: reason}) or move the cursor. Control
 * characters, line separators and the backslash are written as escapes ({@code \n}, {@code \r},
 * {@code \t}, {@code \\}, {@code \x1b}, {@code \u2028}); everything else, non-ASCII letters
 * included, is printed as it is.
 */
final class Printable {
  private Printable() {}

  static String of(String text) {
    if (text == null) {
      return "null";
    }
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      String escape =
          switch (c) {
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            case '\\' -> "\\\\";
            default -> {
              if (c < 0x20 || (c >= 0x7f && c < 0xa0)) {
                yield String.format("\\x%02x", (int) c);
              }
              if (c == '\u2028' || c == '\u2029' || c == '\u0085') {
                yield String.format("\\u%04x", (int) c);
              }
              yield null;
            }
          };
      if (escape != null && out == null) {
        out = new StringBuilder(text.length() + 8).append(text, 0, i);
      }
      if (out != null) {
        if (escape != null) {
          out.append(escape);
        } else {
          out.append(c);
        }
      }
    }
    return out == null ? text : out.toString();
  }
}
