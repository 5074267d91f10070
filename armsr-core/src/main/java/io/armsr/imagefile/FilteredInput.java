package io.armsr.imagefile;

import java.io.IOException;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageInputStreamImpl;

/**
 * An image stream that reads another at the same positions and lets a subclass see each read: the
 * bytes it got ({@link #filter}, which may change them) or the end of the data ({@link #atEnd}).
 */
abstract class FilteredInput extends ImageInputStreamImpl {
  private final ImageInputStream in;

  FilteredInput(ImageInputStream in) throws IOException {
    this.in = in;
    this.streamPos = in.getStreamPosition();
  }

  /**
   * Sees, and may change, the {@code n} bytes just read into {@code b} from stream position {@code
   * at}.
   */
  protected void filter(byte[] b, int off, int n, long at) {}

  /** Called each time a read finds no more data. */
  protected void atEnd() {}

  @Override
  public final int read() throws IOException {
    checkClosed();
    bitOffset = 0;
    int v = in.read();
    if (v < 0) {
      atEnd();
      return v;
    }
    byte[] one = {(byte) v};
    filter(one, 0, 1, streamPos++);
    return one[0] & 0xff;
  }

  @Override
  public final int read(byte[] b, int off, int len) throws IOException {
    checkClosed();
    bitOffset = 0;
    int n = in.read(b, off, len);
    if (n < 0) {
      atEnd();
      return n;
    }
    filter(b, off, n, streamPos);
    streamPos += n;
    return n;
  }

  @Override
  public void seek(long pos) throws IOException {
    super.seek(pos);
    in.seek(pos);
  }

  @Override
  public long length() {
    try {
      return in.length();
    } catch (IOException e) {
      return -1;
    }
  }
}
