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

  /** PostgreSQL's {@code hash_uint32}: Bob Jenkins' lookup3 {@code final(a, b, c)} of one word. */
  static int hashUint32(int k) {
    int a = SEED + k;
    int b = SEED;
    int c = SEED;
    c = mix(c, b, 14);
    a = mix(a, c, 11);
    b = mix(b, a, 25);
    c = mix(c, b, 16);
    a = mix(a, c, 4);
    b = mix(b, a, 14);
    return mix(c, b, 24);
  }

  /** One step of lookup3's final: {@code x ^= y; x -= rot(y, k)}. */
  private static int mix(int x, int y, int k) {
    return (x ^ y) - Integer.rotateLeft(y, k);
  }
}
