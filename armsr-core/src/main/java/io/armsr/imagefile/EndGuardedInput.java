package io.armsr.imagefile;

import java.io.IOException;
import javax.imageio.stream.ImageInputStream;

/**
 * An image stream that stops a decoder from reading on past the end of its data. The lossless WebP
 * decoder refills its bit buffer by reading bytes and treats the end of the stream as more zero
 * bits: a crafted 1.6 KB file that declares 6000x7000 pixels then decodes garbage for minutes, an
 * exception thrown and swallowed for every refill. A valid stream reads at most a few bytes ahead;
 * after {@value #TOLERANCE} reads past the end this stream throws an unchecked {@link ReadPastEnd},
 * which the decoder does not catch, so the read fails at once as truncated data.
 */
final class EndGuardedInput extends FilteredInput {
  /** Reads past the end allowed before the stream refuses (a bit reader's look-ahead). */
  static final int TOLERANCE = 64;

  /** Thrown when a decoder keeps reading past the end of its data. */
  static final class ReadPastEnd extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ReadPastEnd() {
      super("the decoder read on past the end of the data");
    }
  }

  private int pastEnd;

  EndGuardedInput(ImageInputStream in) throws IOException {
    super(in);
  }

  @Override
  protected void atEnd() {
    if (++pastEnd > TOLERANCE) {
      throw new ReadPastEnd();
    }
  }
}
