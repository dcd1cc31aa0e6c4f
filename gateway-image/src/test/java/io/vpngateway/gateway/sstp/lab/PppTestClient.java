package io.vpngateway.gateway.sstp.lab;

import io.vpngateway.gateway.auth.radius.crypto.MsChapV2;
import io.vpngateway.gateway.sstp.ppp.message.ChapPacket;
import io.vpngateway.gateway.sstp.ppp.message.CpOption;
import io.vpngateway.gateway.sstp.ppp.message.CpPacket;
import io.vpngateway.gateway.sstp.ppp.message.PppFrame;
import io.vpngateway.gateway.sstp.ppp.message.PppProtocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The client half of PPP for host-only tests, standing in for pppd on sstpc's stdio (HDLC framed):
 * LCP (accepts the server's MS-CHAPv2 request), an MS-CHAPv2 Response from a password (RFC 2759),
 * IPCP (asks for 0.0.0.0, takes the Nak'ed address). Our own client adds coverage of the SSTP
 * layer without kernel PPP; the real pppd runs in the QEMU guest tests.
 */
public final class PppTestClient implements AutoCloseable {
  /** Sends one PPP frame (address/control, protocol, information) on the client's link. */
  @FunctionalInterface
  public interface FrameSender {
    void send(byte[] frame) throws IOException;
  }

  private final InputStream in;
  private final OutputStream out;
  private final FrameSender sender;
  private final BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
  private final Thread reader;
  private final SecureRandom random = new SecureRandom();
  private int nextId = 1;
  /** The client's MPPE keys after a successful MS-CHAPv2 (send, receive), for the binding. */
  public byte[] mppeSendKey;
  public byte[] mppeReceiveKey;
  public String failureMessage;

  /** PPP over a framed link (SSTP data packets): received frames come in through {@link #deliver}. */
  public PppTestClient(FrameSender sender) {
    this.in = null;
    this.out = null;
    this.sender = sender;
    this.reader = null;
  }

  /** A frame the link received (an empty array marks the end of the link). */
  public void deliver(byte[] frame) {
    frames.add(frame);
  }

  /** PPP over HDLC on a byte stream (sstpc's stdio, as pppd would speak it). */
  public PppTestClient(InputStream in, OutputStream out) {
    this.in = in;
    this.out = out;
    this.sender =
        frame -> {
          out.write(Hdlc.encode(frame));
          out.flush();
        };
    this.reader =
        new Thread(
            () -> {
              try {
                while (true) {
                  frames.add(Hdlc.read(in));
                }
              } catch (IOException e) {
                frames.add(new byte[0]);
              }
            },
            "ppp-test-client-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Sends one PPP frame (protocol and information) HDLC-framed. */
  public synchronized void send(int protocol, byte[] information) throws IOException {
    sender.send(PppFrame.encode(protocol, information));
  }

  /** The next frame of {@code protocol} (others are answered or skipped), or an error at the end. */
  public byte[] await(int protocol, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      byte[] f = left > 0 ? frames.poll(left, TimeUnit.NANOSECONDS) : null;
      if (f == null) {
        // which side waits: a rare CI stall (sstpc connected, no TLS progress) left no trace
        printThreadDump();
        throw new AssertionError("no " + PppProtocol.name(protocol) + " frame within " + timeout);
      }
      if (f.length == 0) {
        frames.add(f);
        throw new AssertionError("the PPP stream ended while waiting for " + PppProtocol.name(protocol));
      }
      PppFrame frame = PppFrame.parse(f, 0, f.length);
      byte[] info = Arrays.copyOfRange(f, frame.offset(), frame.offset() + frame.length());
      if (frame.protocol() == protocol) {
        return info;
      }
      if (frame.protocol() == PppProtocol.LCP) {
        answerLcp(CpPacket.parse(info, 0, info.length));
      }
    }
  }

  private void answerLcp(CpPacket p) throws IOException {
    if (p.code() == CpPacket.ECHO_REQUEST) {
      byte[] d = p.data().clone();
      Arrays.fill(d, 0, 4, (byte) 0);
      send(PppProtocol.LCP, new CpPacket(CpPacket.ECHO_REPLY, p.identifier(), d).encode());
    } else if (p.code() == CpPacket.TERMINATE_REQUEST) {
      send(PppProtocol.LCP, new CpPacket(CpPacket.TERMINATE_ACK, p.identifier(), new byte[0])
          .encode());
    }
  }

  /** LCP until open both ways; returns the server's options. */
  public List<CpOption> openLcp(Duration timeout) throws Exception {
    int ourId = nextId++;
    List<CpOption> ours = List.of(
        CpOption.ofNumber(2, 0, 4), CpOption.ofNumber(5, random.nextInt() & 0x7fffffffL | 1, 4));
    send(PppProtocol.LCP, new CpPacket(CpPacket.CONFIGURE_REQUEST, ourId, CpOption.encodeAll(ours))
        .encode());
    boolean acked = false;
    List<CpOption> theirs = null;
    while (!acked || theirs == null) {
      byte[] info = await(PppProtocol.LCP, timeout);
      CpPacket p = CpPacket.parse(info, 0, info.length);
      if (p.code() == CpPacket.CONFIGURE_REQUEST) {
        theirs = CpOption.decodeAll(p.data());
        send(PppProtocol.LCP, new CpPacket(CpPacket.CONFIGURE_ACK, p.identifier(), p.data())
            .encode());
      } else if (p.code() == CpPacket.CONFIGURE_ACK && p.identifier() == ourId) {
        acked = true;
      } else if (p.code() == CpPacket.CONFIGURE_REJECT || p.code() == CpPacket.CONFIGURE_NAK) {
        throw new AssertionError("the server refused our LCP options: code " + p.code());
      } else {
        answerLcp(p);
      }
    }
    return theirs;
  }

  /** MS-CHAPv2 as the peer; true on Success (with a verified authenticator response). */
  public boolean msChapV2(String user, String password, Duration timeout) throws Exception {
    byte[] info = await(PppProtocol.CHAP, timeout);
    ChapPacket challenge = ChapPacket.parse(info, 0, info.length);
    byte[] peerChallenge = new byte[16];
    random.nextBytes(peerChallenge);
    byte[] name = user.getBytes(StandardCharsets.UTF_8);
    byte[] nt = MsChapV2.ntResponse(challenge.value(), peerChallenge, user, password);
    byte[] value = new byte[ChapPacket.MSCHAPV2_RESPONSE_LENGTH];
    System.arraycopy(peerChallenge, 0, value, 0, 16);
    System.arraycopy(nt, 0, value, 24, 24);
    send(PppProtocol.CHAP,
        new ChapPacket(ChapPacket.RESPONSE, challenge.identifier(), value, name).encode());
    ChapPacket verdict;
    do {
      byte[] v = await(PppProtocol.CHAP, timeout);
      verdict = ChapPacket.parse(v, 0, v.length);
    } while (verdict.code() == ChapPacket.CHALLENGE);
    if (verdict.code() != ChapPacket.SUCCESS) {
      failureMessage = verdict.text();
      return false;
    }
    String expected =
        MsChapV2.authenticatorResponse(password, nt, peerChallenge, challenge.value(), user);
    if (!MsChapV2.authenticatorResponseMatches(expected, verdict.text())) {
      throw new AssertionError("the server's authenticator response is wrong: " + verdict.text());
    }
    byte[] master = MsChapV2.masterKey(password, nt);
    mppeSendKey = MsChapV2.asymmetricStartKey(master, true, false);
    mppeReceiveKey = MsChapV2.asymmetricStartKey(master, false, false);
    return true;
  }

  /**
   * EAP as the peer: each Request is answered by {@code answer} (Identity included); true on
   * EAP-Success, false on EAP-Failure.
   */
  public boolean eap(java.util.function.Function<byte[], byte[]> answer, Duration timeout)
      throws Exception {
    while (true) {
      byte[] p = await(PppProtocol.EAP, timeout);
      switch (p[0]) {
        case 1 -> send(PppProtocol.EAP, answer.apply(p));
        case 3 -> {
          return true;
        }
        case 4 -> {
          return false;
        }
        default -> throw new AssertionError("EAP code " + p[0]);
      }
    }
  }

  /** IPCP as the peer: asks for 0.0.0.0, takes the offered address; returns it. */
  public Inet4Address openIpcp(Duration timeout) throws Exception {
    byte[] address = new byte[4];
    int ourId = nextId++;
    sendIpcpRequest(ourId, address);
    boolean acked = false;
    boolean theirsAcked = false;
    while (!acked || !theirsAcked) {
      byte[] info = await(PppProtocol.IPCP, timeout);
      CpPacket p = CpPacket.parse(info, 0, info.length);
      switch (p.code()) {
        case CpPacket.CONFIGURE_REQUEST -> {
          send(PppProtocol.IPCP, new CpPacket(CpPacket.CONFIGURE_ACK, p.identifier(), p.data())
              .encode());
          theirsAcked = true;
        }
        case CpPacket.CONFIGURE_NAK -> {
          for (CpOption o : CpOption.decodeAll(p.data())) {
            if (o.type() == 3) {
              address = o.data();
            }
          }
          ourId = nextId++;
          sendIpcpRequest(ourId, address);
        }
        case CpPacket.CONFIGURE_ACK -> acked = p.identifier() == ourId;
        default -> throw new AssertionError("IPCP code " + p.code());
      }
    }
    return (Inet4Address) InetAddress.getByAddress(address);
  }

  private void sendIpcpRequest(int id, byte[] address) throws IOException {
    send(PppProtocol.IPCP, new CpPacket(CpPacket.CONFIGURE_REQUEST, id,
        CpOption.encodeAll(List.of(new CpOption(3, address)))).encode());
  }

  @Override
  public void close() throws IOException {
    if (reader != null) {
      reader.interrupt();
      in.close();
      out.close();
    }
  }

  private static void printThreadDump() {
    StringBuilder dump = new StringBuilder("---- threads at the PPP client's timeout ----\n");
    Thread.getAllStackTraces().forEach((t, stack) -> {
      dump.append('"').append(t.getName()).append("\" ").append(t.getState()).append('\n');
      for (StackTraceElement e : stack) {
        dump.append("    at ").append(e).append('\n');
      }
    });
    System.out.println(dump);
  }
}
