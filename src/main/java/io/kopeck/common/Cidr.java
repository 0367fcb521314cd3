package io.kopeck.common;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * An IPv4 or IPv6 network in CIDR notation ({@code 185.71.76.0/27}, {@code 2a02:5180::/32}; a bare
 * address is a /32 or /128), for allow-lists of callers such as YooKassa's notification servers.
 * Only literal addresses are accepted: nothing here ever asks DNS.
 */
public record Cidr(byte[] network, int prefix) {

  public static Cidr parse(String text) {
    String value = text.strip();
    int slash = value.indexOf('/');
    String address = slash < 0 ? value : value.substring(0, slash);
    if (!address.matches("[0-9a-fA-F:.]+")) {
      throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR network");
    }
    byte[] bytes = literal(address, text);
    int prefix;
    try {
      prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(value.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' has no valid prefix length");
    }
    if (prefix < 0 || prefix > bytes.length * 8) {
      throw new IllegalArgumentException("'" + text + "' has a prefix length out of range");
    }
    return new Cidr(bytes, prefix);
  }

  /** A comma-separated list; empty text is an empty list. */
  public static List<Cidr> parseList(String text) {
    List<Cidr> list = new ArrayList<>();
    for (String part : text.split(",")) {
      if (!part.isBlank()) {
        list.add(parse(part));
      }
    }
    return List.copyOf(list);
  }

  /** Whether {@code address} (a literal IP, as a connection reports it) lies in this network. */
  public boolean contains(String address) {
    byte[] other;
    try {
      other = literal(address, address);
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (other.length != network.length) {
      return false;
    }
    int fullBytes = prefix / 8;
    for (int i = 0; i < fullBytes; i++) {
      if (other[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xFF << (8 - rest)) & 0xFF;
    return (other[fullBytes] & mask) == (network[fullBytes] & mask);
  }

  private static byte[] literal(String address, String text) {
    if (address.isEmpty() || !address.matches("[0-9a-fA-F:.]+")) {
      throw new IllegalArgumentException("'" + text + "' is not an IP address");
    }
    try {
      // A string of hex digits, dots and colons is parsed as a literal; no lookup happens.
      return InetAddress.getByName(address).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + text + "' is not an IP address");
    }
  }
}
