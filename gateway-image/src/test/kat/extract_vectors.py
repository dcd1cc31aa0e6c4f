#!/usr/bin/env python3
"""Turns openvpn --verb 9 logs (and a pcap of the same run) into the properties files that
OpenVpnKnownAnswerTest reads. Called by capture-openvpn-vectors.sh; see there for how the logs
are made. Every value is lower-case hex without separators."""
import re
import struct
import sys


def hexof(s):
    return re.sub(r"[^0-9a-fA-F]", "", s).lower()


def lines(path):
    with open(path, errors="replace") as f:
        return f.read().splitlines()


def first(log, pattern):
    rx = re.compile(pattern)
    for line in log:
        m = rx.search(line)
        if m:
            return m
    raise SystemExit("not found: " + pattern)


def sealed_packets(log, direction):
    """(iv, plaintext, ad) of every AEAD packet the log's peer sealed ("ENCRYPT") or opened."""
    out, cur = [], {}
    for line in log:
        m = re.search(direction + r" (IV|FROM|AD|TO|MAC): (.*)$", line)
        if not m:
            continue
        if "[more...]" in m.group(2):
            cur[m.group(1)] = None
        else:
            cur[m.group(1)] = hexof(m.group(2))
        if direction == "ENCRYPT" and m.group(1) == "TO":
            out.append(cur)
            cur = {}
        if direction == "DECRYPT" and m.group(1) == "TO":
            out.append(cur)
            cur = {}
    return out


def icmp(packets, icmp_type, plain_key="FROM"):
    """The packet whose plaintext (FROM when sealed, TO when opened) is an IPv4 ICMP message of
    the type (8 echo, 0 reply)."""
    for p in packets:
        plain = p.get(plain_key)
        if plain and plain.startswith("45") and plain[18:20] == "01" and int(plain[40:42], 16) == icmp_type:
            return p
    raise SystemExit("no ICMP type %d packet" % icmp_type)


def udp_payloads(pcap):
    data = open(pcap, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    link = struct.unpack(endian + "I", data[20:24])[0]
    skip = {1: 14, 113: 16, 276: 20, 0: 4}[link]
    off, out = 24, []
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        ip = frame[skip:]
        if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        ihl = (ip[0] & 15) * 4
        sport, dport = struct.unpack(">HH", ip[ihl:ihl + 4])
        out.append((sport, dport, ip[ihl + 8:].hex()))
    return out


def openvpn_run(cipher, d, tc_key_file):
    client, server = lines(d + "/client.log"), lines(d + "/server.log")
    key_pem = open(tc_key_file).read()
    body = key_pem.split("-----BEGIN OpenVPN Static key V1-----")[1].split("-----END")[0]
    wire = udp_payloads(d + "/wire.pcap")
    from_client = [p for s, t, p in wire if t == 11940]
    from_server = [p for s, t, p in wire if s == 11940]
    creset = first(client, r"WRITE \[\d+\] to .*: P_CONTROL_HARD_RESET_CLIENT_V2 kid=0 sid=(\w+) (\w+) pid=\[ #(\d+) / time = \((\d+)\)")
    sreset = first(client, r"READ \[\d+\] from .*: P_CONTROL_HARD_RESET_SERVER_V2 kid=0 sid=(\w+) (\w+) pid=\[ #(\d+) / time = \((\d+)\)")
    cplain = first(client, r"TLS-CRYPT WRAP FROM: (.*)$").group(1)
    splain = first(server, r"TLS-CRYPT WRAP FROM: (.*)$").group(1)
    ping = icmp(sealed_packets(client, "ENCRYPT"), 8)
    pong = icmp(sealed_packets(server, "ENCRYPT"), 0)
    ping_wire = next(p for p in from_client if p.startswith(ping["AD"]))
    pong_wire = next(p for p in from_server if p.startswith(pong["AD"]))
    v = {
        "cipher": cipher,
        "tls_crypt_key": hexof(body),
        "client_reset_wire": from_client[0],
        "client_reset_session_id": creset.group(1) + creset.group(2),
        "client_reset_packet_id": creset.group(3),
        "client_reset_time": creset.group(4),
        "client_reset_plaintext": hexof(cplain),
        "server_reset_wire": from_server[0],
        "server_reset_session_id": sreset.group(1) + sreset.group(2),
        "server_reset_packet_id": sreset.group(3),
        "server_reset_time": sreset.group(4),
        "server_reset_plaintext": hexof(splain),
        "client_send_key": hexof(first(client, r"Outgoing Data Channel: CIPHER KEY: (.*)$").group(1)),
        "client_receive_key": hexof(first(client, r"Incoming Data Channel: CIPHER KEY: (.*)$").group(1)),
        "server_send_key": hexof(first(server, r"Outgoing Data Channel: CIPHER KEY: (.*)$").group(1)),
        "client_ping_iv": ping["IV"],
        "client_ping_ad": ping["AD"],
        "client_ping_plaintext": ping["FROM"],
        "client_ping_wire": ping_wire,
        "server_pong_iv": pong["IV"],
        "server_pong_ad": pong["AD"],
        "server_pong_plaintext": pong["FROM"],
        "server_pong_wire": pong_wire,
    }
    return v


def prf_run(cipher, d, log_file):
    log = lines(d + "/" + log_file)
    v = {"cipher": cipher}
    for side in ("Client", "Server"):
        for part in ("pre_master", "random1", "random2"):
            if side == "Server" and part == "pre_master":
                continue
            v[side.lower() + "_" + part] = hexof(first(log, side + " " + part + r": (.*)$").group(1))
    c = first(log, r"WRITE \[\d+\] to .*: P_CONTROL_HARD_RESET_CLIENT_V[23] kid=0 sid=(\w+) (\w+)")
    s = first(log, r"READ \[\d+\] from .*: P_CONTROL_HARD_RESET_SERVER_V2 kid=0 sid=(\w+) (\w+)")
    v["client_session_id"] = c.group(1) + c.group(2)
    v["server_session_id"] = s.group(1) + s.group(2)
    v["client_send_key"] = hexof(first(log, r"Outgoing Data Channel: CIPHER KEY: (.*)$").group(1))
    v["client_receive_key"] = hexof(first(log, r"Incoming Data Channel: CIPHER KEY: (.*)$").group(1))
    v["client_send_iv"] = icmp(sealed_packets(log, "ENCRYPT"), 8)["IV"]
    v["client_receive_iv"] = icmp(sealed_packets(log, "DECRYPT"), 0, "TO")["IV"]
    return v


if __name__ == "__main__":
    kind, cipher, d, extra = sys.argv[1:5]
    v = openvpn_run(cipher, d, d + "/../" + extra) if kind == "openvpn" else prf_run(cipher, d, extra)
    print("# captured from openvpn 2.6 by gateway-image/src/test/kat/capture-openvpn-vectors.sh")
    for k, val in v.items():
        print("%s=%s" % (k, val))
