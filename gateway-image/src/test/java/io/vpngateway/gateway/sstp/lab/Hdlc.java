package io.vpngateway.gateway.sstp.lab;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Asynchronous HDLC-like framing of PPP (RFC 1662 sections 3 and 4): flag 0x7e, control escape
 * 0x7d (octet XOR 0x20), FCS-16. What pppd speaks over its pty and sstpc translates to and from
 * SSTP's plain frames; tests use it to stand in for pppd on sstpc's stdio.
 */
public final class Hdlc {
  private static final int[] FCS_TABLE = new int[256];

  static {
    for (int b = 0; b < 256; b++) {
      int v = b;
      for (int i = 0; i < 8; i++) {
        v = (v & 1) != 0 ? (v >>> 1) ^ 0x8408 : v >>> 1;
      }
      FCS_TABLE[b] = v;
    }
  }

  private Hdlc() {}

  static int fcs(byte[] data, int length) {
    int fcs = 0xffff;
    for (int i = 0; i < length; i++) {
      fcs = (fcs >>> 8) ^ FCS_TABLE[(fcs ^ data[i]) & 0xff];
    }
    return fcs;
  }

  /** Frames {@code frame} (address/control, protocol, information) with FCS and escaping. */
  public static byte[] encode(byte[] frame) {
    int fcs = fcs(frame, frame.length) ^ 0xffff;
    ByteArrayOutputStream out = new ByteArrayOutputStream(frame.length * 2 + 4);
    out.write(0x7e);
    for (byte b : frame) {
      escape(out, b & 0xff);
    }
    escape(out, fcs & 0xff);
    escape(out, (fcs >>> 8) & 0xff);
    out.write(0x7e);
    return out.toByteArray();
  }

  private static void escape(ByteArrayOutputStream out, int b) {
    if (b < 0x20 || b == 0x7e || b == 0x7d) {
      out.write(0x7d);
      out.write(b ^ 0x20);
    } else {
      out.write(b);
    }
  }

  /**
   * Reads the next frame whose FCS is good (bad ones are skipped), without its FCS.
   *
   * @throws EOFException when the stream ends
   */
  public static byte[] read(InputStream in) throws IOException {
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    boolean escaped = false;
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("HDLC stream ended");
      }
      if (b == 0x7e) {
        byte[] f = frame.toByteArray();
        frame.reset();
        escaped = false;
        if (f.length >= 4 && fcs(f, f.length) == 0xf0b8) {
          byte[] out = new byte[f.length - 2];
          System.arraycopy(f, 0, out, 0, out.length);
          return out;
        }
        continue;
      }
      if (b == 0x7d) {
        escaped = true;
        continue;
      }
      frame.write(escaped ? b ^ 0x20 : b);
      escaped = false;
    }
  }
}
