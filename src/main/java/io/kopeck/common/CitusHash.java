package io.kopeck.common;

/**
 * PostgreSQL's {@code hashint8}, the hash Citus places a bigint distribution value with: the shard
 * of a user is the one whose [min, max] hash range holds {@code hashint8(user_id)}. Computing it
 * here lets the billing engine group charges by shard without asking the database.
 */
public final class CitusHash {
  private static final int SEED = 0x9e3779b9 + Integer.BYTES + 3923095;

  private CitusHash() {
  }

  /** {@code hashint8(value)}: the 64-bit value folded to 32 bits, then {@link #hashUint32}. */
  public static int hashint8(long value) {
    int lo = (int) value;
    int hi = (int) (value >>> 32);
    lo ^= value >= 0 ? hi : ~hi;
    return hashUint32(lo);
  }

  /** PostgreSQL's {@code hash_uint32}: Bob Jenkins' lookup3 final mix of one word. */
  static int hashUint32(int k) {
    int a = SEED + k;
    int b = SEED;
    int c = SEED;
    c ^= b;
    c -= Integer.rotateLeft(b, 14);
    a ^= c;
    a -= Integer.rotateLeft(c, 11);
    b ^= a;
    b -= Integer.rotateLeft(a, 25);
    c ^= b;
    c -= Integer.rotateLeft(b, 16);
    a ^= c;
    a -= Integer.rotateLeft(c, 4);
    b ^= a;
    b -= Integer.rotateLeft(a, 14);
    c ^= b;
    c -= Integer.rotateLeft(b, 24);
    return c;
  }
}
