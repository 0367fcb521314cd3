package io.kopeck.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.common.Topology;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.ServiceExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The engine's in-process door: answers on the caller's own event loop, every charge once, closed with the engine. */
class ChargeIntakeTest {
  private static final long FIRST = 9_200_001;
  private static final int USERS = 10;

  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.of());
  private Vertx vertx;
  private String deployment;

  @BeforeEach
  void deployEngine() {
    vertx = Vertx.vertx();
    Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4))
        .connectingTo(service.db().url().toConnectOptions()).using(vertx).build();
    EngineSettings settings = new EngineSettings(pool, Clock.systemUTC(), ZoneId.of("Europe/Moscow"), BigDecimal.ONE,
        BigDecimal.ZERO, false, 2, 1, 64, 0, Topology.single());
    deployment = Http.await(vertx.deployVerticle(new BillingEngineVerticle(settings,
        new EngineMetrics(new SimpleMeterRegistry()), (charge, result) -> { })));
  }

  @AfterEach
  void close() {
    Http.await(vertx.close());
  }

  private static UsageCharge usage(String prefix, int n) {
    return new UsageCharge(FIRST + n % USERS, prefix + n, "intake", new BigDecimal("0.5"), "RUB", 1, 0, 1L, 1L, 2L,
        null);
  }

  /** Submits {@code count} charges, each twice, from inside {@code context}; counts answers seen off that context. */
  private static Future<List<PostingResult>> submitFrom(Context context, String prefix, int count, AtomicInteger stray) {
    Promise<List<PostingResult>> all = Promise.promise();
    context.runOnContext(v -> {
      ChargeIntake intake = ChargeIntake.of(context.owner());
      List<Future<PostingResult>> answers = new ArrayList<>();
      for (int n = 0; n < count; n++) {
        for (int copy = 0; copy < 2; copy++) {
          answers.add(intake.submit(usage(prefix, n)).onComplete(done -> {
            if (Vertx.currentContext() != context) {
              stray.incrementAndGet();
            }
          }));
        }
      }
      Future.all(answers).map(f -> f.<PostingResult>list()).onComplete(all);
    });
    return all.future();
  }

  @Test
  @DisplayName("two event loops submit 300 charges each, every one twice at once: each answer arrives on the loop that "
      + "asked, each charge is debited once, the ledger holds")
  void answersOnTheCallersLoop() {
    for (long user = FIRST; user < FIRST + USERS; user++) {
      Ledgers.seedUser(service.pool(), user, "1000");
    }
    Context one = vertx.getOrCreateContext();
    Context other = vertx.getOrCreateContext();
    assertThat(one).isNotSameAs(other);
    AtomicInteger stray = new AtomicInteger();
    Future<List<PostingResult>> first = submitFrom(one, "a-", 300, stray);
    Future<List<PostingResult>> second = submitFrom(other, "b-", 300, stray);
    List<PostingResult> results = new ArrayList<>(Http.await(first));
    results.addAll(Http.await(second));

    assertThat(stray).hasValue(0);
    assertThat(results).hasSize(1200).allMatch(PostingResult::applied);
    assertThat(results).filteredOn(PostingResult::duplicate).hasSize(600);
    // 600 charges of 0.5 over 10 users.
    for (long user = FIRST; user < FIRST + USERS; user++) {
      assertThat(Ledgers.balance(service.pool(), user)).isEqualByComparingTo("970");
    }
    Ledgers.assertConsistent(service.pool());
  }

  @Test
  @DisplayName("400 charges from 400 duplicated contexts of one event loop (as Vert.x gives each HTTP request): each "
      + "answer arrives on its own duplicate, and one mailbox serves them all")
  void oneMailboxPerEventLoop() {
    Ledgers.seedUser(service.pool(), FIRST, "1000");
    BigDecimal before = Ledgers.balance(service.pool(), FIRST);
    ContextInternal loop = (ContextInternal) vertx.getOrCreateContext();
    AtomicInteger stray = new AtomicInteger();
    List<Future<List<PostingResult>>> requests = new ArrayList<>();
    for (int n = 0; n < 400; n++) {
      ContextInternal request = loop.duplicate();
      assertThat(request.isDuplicate()).isTrue();
      requests.add(submitFrom(request, "dup-" + n + "-", 1, stray));
    }
    List<PostingResult> results = Http.await(Future.all(requests)).<List<PostingResult>>list().stream()
        .flatMap(List::stream).toList();

    assertThat(stray).hasValue(0);
    assertThat(results).hasSize(800).allMatch(PostingResult::applied);
    assertThat(results).filteredOn(PostingResult::duplicate).hasSize(400);
    assertThat(ChargeIntake.of(vertx).mailboxes()).isEqualTo(1);
    // 400 charges of 0.5, each the first of its request: all to the first user.
    assertThat(Ledgers.balance(service.pool(), FIRST)).isEqualByComparingTo(before.subtract(new BigDecimal("200")));
    Ledgers.assertConsistent(service.pool());
  }

  @Test
  @DisplayName("once the engine is undeployed its door is gone and a held one refuses retryably; nothing is written")
  void closedWithTheEngine() {
    ChargeIntake intake = ChargeIntake.of(vertx);
    assertThat(intake.isOpen()).isTrue();
    Http.await(vertx.undeploy(deployment));

    assertThat(ChargeIntake.of(vertx)).isNull();
    assertThat(intake.isOpen()).isFalse();
    Future<PostingResult> late = intake.submit(usage("late-", 1));
    assertThat(late.failed()).isTrue();
    assertThat(late.cause()).isInstanceOf(BatchFailedException.class);
    assertThat(Ledgers.count(service.pool(), "SELECT count(*) FROM usage_charges WHERE event_id = 'late-1'"))
        .isZero();
  }
}
