package io.kopeck.usage;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.common.StrictJson;
import io.kopeck.ledger.PostingResult;
import io.kopeck.ledger.UsageCharge;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.sqlclient.Pool;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows Runner task streams (SPEC §14, §17): {@code GET {RUNNER_BASE_URL}{stream_url}} with
 * {@code X-API-Key: RUNNER_STREAM_KEY} and {@code Accept: text/event-stream}; every {@code data:}
 * event of type {@code track_cost} — or {@code bot_output} with {@code output_type: track_cost}, the
 * seed Runner's second form — is charged like a pushed event; {@code done}, {@code complete} and
 * {@code error} end the run. The charge's key is the event's SSE id when the stream has ids
 * ({@code run:<run_id>:id:<id>}), so a Runner that replays from the start on reconnect is charged
 * nothing twice; without ids it is {@code run:<run_id>:<n>} (n counts the run's cost events; the
 * event's own {@code event_id} stands for n when it has one), and such a Runner must replay from the
 * start. Events are taken one at a time (the response is paused while a charge commits) and the
 * run's progress is stored after each, so a cut connection resumes with {@code Last-Event-ID}. A
 * stream silent for RUNNER_STREAM_IDLE_SECONDS is dropped and reconnected; one event's data is at most
 * 1 MiB; reconnections wait an exponential pause with jitter. Runs are claimed with a lease every
 * few seconds, so runs of an instance that died are taken over by another, or by the same after a
 * restart.
 */
public final class RunFollowerVerticle extends VerticleBase {
  /** Wakes the claim loop now (a run was just registered) instead of at the next tick. */
  public static final String WAKE = "runner.runs.wake";
  private static final Logger log = LoggerFactory.getLogger(RunFollowerVerticle.class);
  private static final int MAX_LINE = 1024 * 1024;
  private static final long CLAIM_EVERY_MS = 2_000;
  private static final long MAX_BACKOFF_MS = 30_000;

  /**
   * How the streams are reached, for how long a claim holds, and how long a stream may stay silent
   * (not a byte, not even a comment) before it is taken for a half-open connection and reconnected.
   */
  public record Settings(String baseUrl, String streamKey, int maxRetries, int leaseSeconds, long backoffMillis,
                         int idleSeconds) {
    @Override
    public String toString() {
      return "RunFollowerVerticle.Settings[baseUrl=" + baseUrl + "]"; // never the key
    }
  }

  private final Pool pool;
  private final Settings settings;
  private final BotRunEvents botRuns;
  private final String instance = UUID.randomUUID().toString();
  private final Map<String, Following> following = new ConcurrentHashMap<>();
  private Runs runs;
  private ChargeClient engine;
  private TrackCostParser parser;
  private HttpClient http;
  private long claimTimer;
  private long renewTimer;
  private boolean stopping;

  /** {@code botRuns}: where the events of runs the bot started go (SPEC §18); {@code multipliers}: defined tracks'. */
  public RunFollowerVerticle(Pool pool, Settings settings, String currency, TrackMultipliers multipliers,
                             BotRunEvents botRuns) {
    this.pool = pool;
    this.settings = settings;
    this.botRuns = botRuns;
    this.parser = new TrackCostParser(currency, multipliers);
  }

  @Override
  public Future<?> start() {
    runs = new Runs(pool);
    engine = new ChargeClient(vertx);
    http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(10_000).setIdleTimeout(0),
        new PoolOptions().setHttp1MaxSize(1_000));
    claimTimer = vertx.setPeriodic(1, CLAIM_EVERY_MS, id -> claim());
    renewTimer = vertx.setPeriodic(Math.max(1, settings.leaseSeconds() * 1000L / 3), id -> renew());
    return vertx.eventBus().localConsumer(WAKE, message -> claim()).completion();
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(claimTimer);
    vertx.cancelTimer(renewTimer);
    // Another instance (or this one after a restart) takes the runs over at once.
    return runs.release(instance).recover(e -> Future.succeededFuture()).compose(v -> http.close());
  }

  private void claim() {
    if (stopping) {
      return;
    }
    runs.claim(instance, settings.leaseSeconds(), 100).onSuccess(claimed -> claimed.forEach(this::follow))
        .onFailure(e -> log.warn("Claiming Runner streams failed: {}", e.getMessage()));
  }

  private void renew() {
    if (following.isEmpty() || stopping) {
      return;
    }
    List<String> ids = new ArrayList<>(following.keySet());
    runs.renew(instance, settings.leaseSeconds(), ids).onSuccess(kept -> ids.stream().filter(id -> !kept.contains(id))
        .forEach(lost -> {
          Following run = following.remove(lost);
          if (run != null) {
            run.abandon();
          }
        }));
  }

  private void follow(Runs.Run run) {
    if (following.containsKey(run.runId())) {
      return;
    }
    Following followed = new Following(run);
    following.put(run.runId(), followed);
    followed.connect();
  }

  /** One run being followed: its connection, its position in the stream, its retries. */
  private final class Following {
    private Runs.Run run;
    private String lastEventId;
    private int eventsSeen;
    private int eventsDone;
    private int counted;
    private boolean ended;
    private boolean retrying;
    private HttpClientResponse response;
    private long idleTimer = -1;
    private boolean charging;
    private long lastByteAt;

    Following(Runs.Run run) {
      this.run = run;
      this.lastEventId = run.lastEventId();
      this.eventsSeen = run.eventsSeen();
      this.eventsDone = run.eventsDone();
    }

    void connect() {
      if (ended || stopping) {
        return;
      }
      retrying = false;
      // With Last-Event-ID the stream resumes after it; without, it starts again and is counted again from 0.
      counted = lastEventId == null ? 0 : run.bot() ? eventsDone : eventsSeen;
      RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET)
          .setAbsoluteURI(settings.baseUrl() + run.streamUrl()).putHeader("Accept", "text/event-stream")
          .putHeader("X-API-Key", settings.streamKey());
      if (lastEventId != null) {
        request.putHeader("Last-Event-ID", lastEventId);
      }
      http.request(request).compose(req -> req.send()).onSuccess(this::stream)
          .onFailure(e -> retry("connection failed: " + e.getMessage(), null));
    }

    private void stream(HttpClientResponse answer) {
      if (answer.statusCode() != 200) {
        answer.body();
        retry("the stream answered " + answer.statusCode(), null);
        return;
      }
      response = answer;
      SseReader reader = new SseReader(MAX_LINE);
      watchForSilence(answer);
      answer.handler(chunk -> {
        lastByteAt = System.nanoTime();
        List<SseReader.Event> events;
        try {
          events = reader.feed(chunk);
        } catch (IllegalArgumentException e) {
          // The reason first: the reset reports itself as a broken stream to the exception handler.
          retry(e.getMessage(), reader.retryMillis());
          answer.request().reset();
          return;
        }
        if (events.isEmpty()) {
          return;
        }
        answer.pause();
        charging = true;
        handleAll(events, 0).onComplete(done -> {
          charging = false;
          lastByteAt = System.nanoTime();
          if (done.succeeded() && !ended) {
            answer.resume();
          } else if (done.failed()) {
            retry("a charge could not be committed: " + done.cause().getMessage(), reader.retryMillis());
            answer.request().reset();
          }
        });
      });
      answer.exceptionHandler(e -> retry("the stream broke: " + e.getMessage(), reader.retryMillis()));
      answer.endHandler(v -> retry("the stream ended before done", reader.retryMillis()));
    }

    /**
     * A half-open connection (the Runner's host gone without a FIN) never ends or fails by itself:
     * without a byte for RUNNER_STREAM_IDLE_SECONDS the stream is dropped and reconnected. Time spent
     * paused while a charge commits is not the stream's silence.
     */
    private void watchForSilence(HttpClientResponse answer) {
      lastByteAt = System.nanoTime();
      long idleNanos = settings.idleSeconds() * 1_000_000_000L;
      cancelSilenceWatch();
      idleTimer = vertx.setPeriodic(Math.max(250, settings.idleSeconds() * 250L), id -> {
        if (response != answer || ended) {
          vertx.cancelTimer(id);
        } else if (!charging && System.nanoTime() - lastByteAt > idleNanos) {
          vertx.cancelTimer(id);
          retry("the stream was silent for " + settings.idleSeconds() + " s", null);
          answer.request().reset();
        }
      });
    }

    private void cancelSilenceWatch() {
      if (idleTimer != -1) {
        vertx.cancelTimer(idleTimer);
        idleTimer = -1;
      }
    }

    private Future<Void> handleAll(List<SseReader.Event> events, int index) {
      if (index >= events.size() || ended) {
        return Future.succeededFuture();
      }
      return handle(events.get(index)).compose(v -> handleAll(events, index + 1));
    }

    private Future<Void> handle(SseReader.Event event) {
      ObjectNode data;
      try {
        data = StrictJson.readObject(event.data());
      } catch (IllegalArgumentException e) {
        log.warn("Runner stream event ignored: not a JSON object {} {}", kv("run_id", run.runId()),
            kv("reason", e.getMessage()));
        return remember(event.id());
      }
      String type = data.path("type").asText(event.name());
      if (run.bot()) {
        return handleBotEvent(event, type, data);
      }
      if (type.equals("bot_output") && data.path("output_type").asText("").equals("track_cost")) {
        type = "track_cost"; // the seed Runner's second way of reporting a run's cost
      }
      return switch (type) {
        case "track_cost" -> charge(event, data);
        case "done", "complete" -> end("done", null);
        case "error" -> end("failed", errorText(data));
        default -> remember(event.id());
      };
    }

    /**
     * A run the bot started: every event goes to the track feature in stream order, named by its SSE id
     * or its position (a stream without ids is replayed from its start, and counted again from 1).
     */
    private Future<Void> handleBotEvent(SseReader.Event event, String type, ObjectNode data) {
      int position = ++counted;
      return switch (type) {
        case "done", "complete" -> end("done", null);
        case "error" -> end("failed", errorText(data));
        default -> botRuns.event(run.followed(), StreamKeys.eventKey(event.id(), position), type, data)
            .compose(stillFollowed -> stillFollowed ? taken(event.id(), position) : letGo());
      };
    }

    private Future<Void> taken(String id, int position) {
      lastEventId = id == null ? lastEventId : id;
      eventsDone = Math.max(eventsDone, position);
      return runs.botProgress(run, id, position);
    }

    /** The run is no longer followed (the user cancelled it): its stream is dropped, nothing more taken. */
    private Future<Void> letGo() {
      abandon();
      following.remove(run.runId());
      return Future.succeededFuture();
    }

    /** The seed Runner says what went wrong in {@code content}; others in {@code message} or {@code error}. */
    private static String errorText(ObjectNode data) {
      for (String field : new String[] {"content", "message", "error"}) {
        if (data.path(field).isTextual() && !data.path(field).textValue().isBlank()) {
          return data.path(field).textValue();
        }
      }
      return "the run failed";
    }

    private Future<Void> charge(SseReader.Event event, ObjectNode data) {
      int n = ++counted;
      ObjectNode charge = data.deepCopy();
      charge.remove("type");
      charge.remove("output_type");
      charge.put("event_id", StreamKeys.chargeKey(run.runId(), event.id(), data, n));
      charge.put("user_id", run.userId());
      UsageCharge usage;
      try {
        usage = parser.parse(charge);
      } catch (InvalidEvent e) {
        log.warn("Runner stream track_cost refused {} {} {}", kv("run_id", run.runId()), kv("event_id", e.eventId()),
            kv("reason", e.getMessage()));
        return progress(event.id(), n, false, BigDecimal.ZERO);
      }
      return engine.charge(usage).compose(result -> progress(event.id(), n, result.applied() && !result.duplicate(),
          tokensOf(result)));
    }

    private BigDecimal tokensOf(PostingResult result) {
      return result.applied() && !result.duplicate() && result.delta() != null ? result.delta().negate()
          : BigDecimal.ZERO;
    }

    private Future<Void> progress(String id, int n, boolean charged, BigDecimal tokens) {
      lastEventId = id == null ? lastEventId : id;
      eventsSeen = Math.max(eventsSeen, n);
      return runs.progress(run, id, eventsSeen, charged, tokens);
    }

    private Future<Void> remember(String id) {
      if (id == null || id.equals(lastEventId)) {
        return Future.succeededFuture();
      }
      lastEventId = id;
      return runs.lastEventId(run, id);
    }

    private Future<Void> end(String status, String error) {
      ended = true;
      cancelSilenceWatch();
      following.remove(run.runId());
      if (response != null) {
        response.request().reset();
      }
      log.info("Runner stream ended {} {} {}", kv("run_id", run.runId()), kv("status", status), kv("error", error));
      // A bot-started run is priced and closed by its track, in one transaction with its charge.
      return run.bot() ? botRuns.ended(run.followed(), status, error) : runs.finish(run, status, error);
    }

    /** Once per connection, however many ways it failed (reset, exception, end). */
    private void retry(String problem, Long serverHint) {
      if (ended || stopping || retrying) {
        return;
      }
      retrying = true;
      response = null;
      cancelSilenceWatch();
      runs.failedAttempt(run, problem).onComplete(done -> {
        int attempts = done.succeeded() ? done.result() : 1;
        if (attempts > settings.maxRetries()) {
          end("failed", "gave up after " + settings.maxRetries() + " attempts: " + problem);
          return;
        }
        long backoff = Math.min(MAX_BACKOFF_MS, settings.backoffMillis() << Math.min(attempts - 1, 10));
        long delay = StreamKeys.withJitter(serverHint != null
            ? Math.min(MAX_BACKOFF_MS, Math.max(serverHint, settings.backoffMillis())) : backoff);
        log.info("Runner stream reconnects {} {} {}", kv("run_id", run.runId()), kv("in_ms", delay),
            kv("reason", problem));
        vertx.setTimer(Math.max(1, delay), id -> connect());
      });
    }

    void abandon() {
      ended = true;
      cancelSilenceWatch();
      if (response != null) {
        response.request().reset();
      }
    }
  }
}
