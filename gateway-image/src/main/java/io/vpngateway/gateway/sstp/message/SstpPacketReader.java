package io.vpngateway.gateway.sstp.message;

import io.vpngateway.gateway.sstp.exception.MalformedSstpException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Cuts the TLS byte stream after the HTTP exchange into SSTP packets (MS-SSTP section 2.2.1): the
 * header's 12-bit length says where each ends. One reader per connection; the buffer is reused,
 * so a packet is only valid until the next {@link #next} call.
 */
public final class SstpPacketReader {
  private final InputStream in;
  private final byte[] packet = new byte[SstpPacketHeader.MAX_LENGTH];
  private int length;

  public SstpPacketReader(InputStream in) {
    this.in = in;
  }

  /**
   * Reads the next whole packet.
   *
   * @return false at a clean end of stream between packets
   * @throws MalformedSstpException for a bad version or length (the stream cannot be resynced)
   * @throws EOFException when the stream ends inside a packet
   */
  public boolean next() throws IOException, MalformedSstpException {
    if (!readFully(0, SstpPacketHeader.LENGTH, true)) {
      return false;
    }
    length = SstpPacketHeader.decode(packet, 0, SstpPacketHeader.LENGTH);
    readFully(SstpPacketHeader.LENGTH, length - SstpPacketHeader.LENGTH, false);
    return true;
  }

  /** The buffer holding the current packet (header included) at offset 0. */
  public byte[] buffer() {
    return packet;
  }

  public int length() {
    return length;
  }

  public boolean isControl() {
    return SstpPacketHeader.isControl(packet);
  }

  /** A copy of the current packet. */
  public byte[] copy() {
    byte[] out = new byte[length];
    System.arraycopy(packet, 0, out, 0, length);
    return out;
  }

  private boolean readFully(int at, int n, boolean eofAllowedAtStart) throws IOException {
    int done = 0;
    while (done < n) {
      int r = in.read(packet, at + done, n - done);
      if (r < 0) {
        if (done == 0 && eofAllowedAtStart) {
          return false;
        }
        throw new EOFException("stream ended inside an SSTP packet");
      }
      done += r;
    }
    return true;
  }
}
