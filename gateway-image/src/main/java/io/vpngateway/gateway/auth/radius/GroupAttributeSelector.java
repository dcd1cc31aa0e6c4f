package io.vpngateway.gateway.auth.radius;

import io.vpngateway.gateway.auth.radius.message.RadiusAttribute;
import io.vpngateway.gateway.auth.radius.message.RadiusAttributeType;
import io.vpngateway.gateway.auth.radius.message.RadiusPacket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * Reads the client's groups from an Access-Accept: every {@code Class} (25), every {@code
 * Filter-Id} (11), or every value of one vendor sub-attribute (e.g. {@code 26:311:25}), each value
 * one group. Values that are not printable text are skipped (Class is often an opaque server
 * cookie); a value may list several groups separated by commas or semicolons.
 *
 * <p>Spelled in the config as {@code Class}, {@code Filter-Id} or {@code Vendor:<id>:<type>}.
 */
public record GroupAttributeSelector(int type, int vendorId, int vendorType) {
  public static final GroupAttributeSelector CLASS =
      new GroupAttributeSelector(RadiusAttributeType.CLASS, -1, -1);
  public static final GroupAttributeSelector FILTER_ID =
      new GroupAttributeSelector(RadiusAttributeType.FILTER_ID, -1, -1);

  /** Parses the config spelling; throws IllegalArgumentException with the accepted forms. */
  public static GroupAttributeSelector parse(String spelling) {
    if (spelling == null || spelling.isBlank() || spelling.equalsIgnoreCase("Class")) {
      return CLASS;
    }
    if (spelling.equalsIgnoreCase("Filter-Id")) {
      return FILTER_ID;
    }
    String[] parts = spelling.split(":");
    if (parts.length == 3 && parts[0].toLowerCase(Locale.ROOT).equals("vendor")) {
      try {
        int vendor = Integer.parseInt(parts[1]);
        int vtype = Integer.parseInt(parts[2]);
        if (vendor > 0 && vtype > 0 && vtype < 256) {
          return new GroupAttributeSelector(RadiusAttributeType.VENDOR_SPECIFIC, vendor, vtype);
        }
      } catch (NumberFormatException e) {
        // fall through to the error
      }
    }
    throw new IllegalArgumentException(
        "group attribute '" + spelling + "' is not Class, Filter-Id or Vendor:<id>:<type>");
  }

  /** The groups named in {@code accept}, in order, without duplicates. */
  public List<String> groups(RadiusPacket accept) {
    List<byte[]> values = new ArrayList<>();
    if (type == RadiusAttributeType.VENDOR_SPECIFIC) {
      values.addAll(accept.vendorAttributes(vendorId, vendorType));
    } else {
      for (RadiusAttribute a : accept.attributes(type)) {
        values.add(a.value());
      }
    }
    LinkedHashSet<String> groups = new LinkedHashSet<>();
    for (byte[] v : values) {
      if (!printable(v)) {
        continue;
      }
      for (String g : new String(v, StandardCharsets.UTF_8).split("[,;]")) {
        String t = g.trim();
        if (!t.isEmpty()) {
          groups.add(t);
        }
      }
    }
    return List.copyOf(groups);
  }

  private static boolean printable(byte[] v) {
    for (byte b : v) {
      if ((b & 0xff) < 0x20 || b == 0x7f) {
        return false;
      }
    }
    return v.length > 0;
  }

  @Override
  public String toString() {
    return switch (type) {
      case RadiusAttributeType.CLASS -> "Class";
      case RadiusAttributeType.FILTER_ID -> "Filter-Id";
      default -> "Vendor:" + vendorId + ":" + vendorType;
    };
  }
}
