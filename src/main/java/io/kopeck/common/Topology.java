package io.kopeck.common;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import java.util.Arrays;
import java.util.List;
import java.util.stream.StreamSupport;

/**
 * Where users' rows live: one PostgreSQL, or Citus shards of {@code users} (SPEC §16), each a hash
 * range of the user id. Writers that must stay on one shard — a billing batch, a timer's row
 * lock — ask it which shard a user is on.
 */
public final class Topology {
  private static final Topology SINGLE = new Topology(false, new int[] {Integer.MIN_VALUE});
  private static final String IS_CITUS = "SELECT count(*) AS n FROM pg_extension WHERE extname = 'citus'";
  private static final String SHARDS = """
      SELECT shardminvalue::int AS min FROM pg_dist_shard
      WHERE logicalrelid = 'public.users'::regclass ORDER BY shardminvalue::int""";

  private final boolean distributed;
  private final int[] shardMins;

  private Topology(boolean distributed, int[] shardMins) {
    this.distributed = distributed;
    this.shardMins = shardMins;
  }

  /** One PostgreSQL: every user on the one "shard" 0. */
  public static Topology single() {
    return SINGLE;
  }

  /** Citus shards of users by the lowest hash of each range (any order). */
  public static Topology citus(int... shardMins) {
    int[] sorted = shardMins.clone();
    Arrays.sort(sorted);
    return new Topology(true, sorted);
  }

  /** Reads the topology: single unless the citus extension is installed and users is distributed. */
  public static Future<Topology> read(SqlClient client) {
    return client.query(IS_CITUS).execute().compose(rows -> rows.iterator().next().getLong("n") == 0
        ? Future.succeededFuture(SINGLE)
        : client.query(SHARDS).execute().map(shards -> {
          List<Row> list = StreamSupport.stream(shards.spliterator(), false).toList();
          return list.isEmpty() ? SINGLE : citus(list.stream().mapToInt(r -> r.getInteger("min")).toArray());
        }));
  }

  public boolean distributed() {
    return distributed;
  }

  public int shardCount() {
    return shardMins.length;
  }

  /** The index (0-based, in hash order) of the shard that holds this user. */
  public int shardOf(long userId) {
    if (!distributed) {
      return 0;
    }
    int hash = CitusHash.hashint8(userId);
    int found = Arrays.binarySearch(shardMins, hash);
    // Not a range start: the range is the one starting just below (insertion point - 1).
    return found >= 0 ? found : Math.max(0, -found - 2);
  }

  @Override
  public String toString() {
    return distributed ? "citus(" + shardMins.length + " shards of users)" : "single";
  }
}
