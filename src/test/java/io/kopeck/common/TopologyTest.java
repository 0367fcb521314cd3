package io.kopeck.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.ServiceExtension;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Shard placement as Citus computes it, checked against PostgreSQL's own hash function. */
class TopologyTest {
  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.of());

  @Test
  @DisplayName("CitusHash.hashint8 equals PostgreSQL's hashint8 for 2,000 ids, negative, huge and the extremes")
  void hashMatchesPostgres() {
    Random random = new Random(16);
    List<Long> ids = new ArrayList<>(List.of(0L, 1L, -1L, 700_000_001L, 4_294_967_296L, Long.MAX_VALUE, Long.MIN_VALUE));
    for (int i = 0; i < 1000; i++) {
      ids.add(random.nextLong());
      ids.add((long) random.nextInt(Integer.MAX_VALUE));
    }
    List<Row> rows = new ArrayList<>();
    Http.await(service.pool().preparedQuery("SELECT x, hashint8(x) AS h FROM unnest($1::bigint[]) AS x")
        .execute(Tuple.of(ids.toArray(Long[]::new)))).forEach(rows::add);

    assertThat(rows).hasSize(ids.size());
    for (Row row : rows) {
      assertThat(CitusHash.hashint8(row.getLong("x"))).as("hashint8(%d)", row.getLong("x"))
          .isEqualTo(row.getInteger("h"));
    }
  }

  @Test
  @DisplayName("a plain PostgreSQL reads as a single node: every user on shard 0")
  void singleNode() {
    Topology topology = Http.await(Topology.read(service.pool()));

    assertThat(topology.distributed()).isFalse();
    assertThat(topology.shardOf(42)).isZero();
    assertThat(topology.shardOf(-7)).isZero();
  }

  @Test
  @DisplayName("a user's shard is the hash range that holds hashint8 of its id")
  void shardRanges() {
    Topology four = Topology.citus(0, Integer.MIN_VALUE, 1_073_741_824, -1_073_741_824);

    assertThat(four.shardCount()).isEqualTo(4);
    for (long user = 1; user < 2_000; user++) {
      int hash = CitusHash.hashint8(user);
      int expected = hash < -1_073_741_824 ? 0 : hash < 0 ? 1 : hash < 1_073_741_824 ? 2 : 3;
      assertThat(four.shardOf(user)).as("user %d (hash %d)", user, hash).isEqualTo(expected);
    }
    assertThat(four.shardOf(8)).isEqualTo(0);                     // hashint8(8) = -2047600124
    assertThat(four.shardOf(-1)).isEqualTo(2);                    // hashint8(-1) = 385747274
  }
}
