package io.kopeck.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.parsetools.RecordParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * Drives track_cost load at a running Kopeck and reports throughput and latency.
 *
 * <pre>
 * rr     --connections C --duration S   closed loop: C clients, each sends the next event when answered
 * rate   --rate R --connections C --duration S   open loop at R events/s; latency from the scheduled send time
 *        (--timeline 1: also one line per second on stderr — wall-clock time, answers, p50/p99/max ms —
 *        to see when a tail happens and line it up with the service's and PostgreSQL's logs)
 * stream --streams N --window W --duration S     N NDJSON streams, W lines in flight per stream
 * replay --file F                                 resend every event of F (one JSON per line) over one stream
 * </pre>
 * Phases can be chained in one JVM, e.g. {@code warmup,rr,stream,rate}: "warmup" runs rr and
 * stream for --warmup seconds unreported (both JITs warm), and "rate" without --rate runs at half
 * the events/s of the preceding rr phase. Each phase prints its own summary line.
 * About 10 % of events repeat an earlier event on purpose; those must come back "duplicate".
 * Prints one JSON summary line: events, charged, duplicates, errors, events/s, p50/p95/p99 ms.
 */
public final class LoadGenerator {
  private static final String[] COSTS = {"0.0042", "0.0105", "0.33", "1.25", "0.004"};

  private final Map<String, String> args;
  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
  private final HttpClient client;
  private final NetClient netClient;
  private final Recorder latency = new Recorder(3);
  /** Only with --timeline: each second's latencies. */
  private final Recorder perSecond;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong charged = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicLong totalCharged = new AtomicLong();
  private final AtomicLong totalErrors = new AtomicLong();
  private final String key;
  private final String prefix;
  private final long firstUser;
  private final int users;
  private long intervalNanos;
  private PrintWriter sentLog;
  private PrintWriter ackLog;

  private LoadGenerator(Map<String, String> args) throws IOException {
    this.args = args;
    this.key = args.getOrDefault("key", "bench-key");
    this.prefix = args.getOrDefault("prefix", "ev" + System.currentTimeMillis());
    this.perSecond = args.containsKey("timeline") ? new Recorder(3) : null;
    this.firstUser = Long.parseLong(args.getOrDefault("first-user", "1000000"));
    this.users = Integer.parseInt(args.getOrDefault("users", "10000"));
    int connections = Integer.parseInt(args.getOrDefault("connections", args.getOrDefault("streams", "64")));
    this.client = vertx.createHttpClient(new HttpClientOptions()
            .setDefaultHost(args.getOrDefault("host", "127.0.0.1"))
            .setDefaultPort(Integer.parseInt(args.getOrDefault("port", "8080")))
            .setKeepAlive(true).setTcpNoDelay(true),
        new PoolOptions().setHttp1MaxSize(connections + 1));
    this.netClient = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true));
    if (args.containsKey("sent-log")) {
      sentLog = new PrintWriter(Files.newBufferedWriter(Path.of(args.get("sent-log"))), false);
    }
    if (args.containsKey("ack-log")) {
      ackLog = new PrintWriter(Files.newBufferedWriter(Path.of(args.get("ack-log"))), false);
    }
  }

  public static void main(String[] argv) {
    try {
      run(argv);
    } catch (Exception e) {
      e.printStackTrace();
      System.exit(1);
    }
    // Vert.x threads are not daemons: leave explicitly, also when a phase failed.
    System.exit(0);
  }

  private static void run(String[] argv) throws Exception {
    Map<String, String> args = new HashMap<>();
    for (int i = 1; i + 1 < argv.length; i += 2) {
      args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
    }
    LoadGenerator generator = new LoadGenerator(args);
    CpuMeter cpu = new CpuMeter(Long.parseLong(args.getOrDefault("service-pid", "0")),
        Long.parseLong(args.getOrDefault("clk-tck", "100")));
    long lastRate = 0;
    for (String phase : argv[0].split(",")) {
      generator.reset();
      CpuMeter.Reading before = cpu.read();
      long started = System.nanoTime();
      switch (phase) {
        case "warmup" -> generator.warmUp();
        case "rr" -> generator.closedLoop();
        case "rate" -> generator.openLoop(args.containsKey("rate") ? Long.parseLong(args.get("rate")) : lastRate / 2);
        case "stream" -> generator.streams();
        case "replay" -> generator.replay();
        default -> throw new IllegalArgumentException("unknown mode " + phase);
      }
      JsonObject summary = generator.report(phase, System.nanoTime() - started);
      CpuMeter.Reading used = cpu.read().minus(before);
      long events = Math.max(1, summary.getLong("events"));
      // CPU per event (charges and duplicates alike: each is one request's work): service (and of it the JIT),
      // PostgreSQL, and this load generator
      summary.put("service_cpu_us", used.serviceMicros() / events)
          .put("service_jit_cpu_us", used.jitMicros() / events)
          .put("postgres_cpu_us", used.postgresMicros() < 0 ? null : used.postgresMicros() / events)
          .put("generator_cpu_us", used.generatorMicros() / events);
      if (phase.equals("rr")) {
        lastRate = summary.getLong("events_per_s");
      }
      if (!phase.equals("warmup")) {
        System.out.println(summary.encode());
      }
    }
    // Every phase's charged events, warm-up included: what the database must hold afterwards.
    System.out.println(new JsonObject().put("mode", "total").put("charged", generator.totalCharged.get())
        .put("errors", generator.totalErrors.get()).encode());
    generator.close();
  }

  private void reset() {
    sent.set(0);
    charged.set(0);
    duplicates.set(0);
    errors.set(0);
    latency.reset();
  }

  private void warmUp() throws Exception {
    String duration = args.get("duration");
    args.put("duration", args.getOrDefault("warmup", "20"));
    closedLoop();
    streams();
    args.put("duration", duration);
  }

  private long durationNanos() {
    return TimeUnit.SECONDS.toNanos(Long.parseLong(args.getOrDefault("duration", "15")));
  }

  /** The next event: usually new, about one in ten a repeat of one sent before. */
  private final class Events {
    private final List<String> recent = new ArrayList<>();

    synchronized String next() {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      if (!recent.isEmpty() && random.nextInt(10) == 0) {
        return recent.get(random.nextInt(recent.size()));
      }
      long n = sequence.incrementAndGet();
      String event = new JsonObject().put("event_id", prefix + "-" + n)
          .put("user_id", firstUser + random.nextInt(users)).put("track", "bench")
          .put("total_cost", COSTS[(int) (n % COSTS.length)]).put("currency", "RUB")
          .put("api_calls", 2).put("prompt_tokens", 100).put("completion_tokens", 50).put("total_tokens", 150)
          .encode();
      if (recent.size() < 10_000) {
        recent.add(event);
      } else {
        recent.set(random.nextInt(recent.size()), event);
      }
      return event;
    }
  }

  private void closedLoop() throws Exception {
    int connections = Integer.parseInt(args.getOrDefault("connections", "64"));
    long deadline = System.nanoTime() + durationNanos();
    Events events = new Events();
    List<Future<Void>> clients = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      Promise<Void> done = Promise.promise();
      clients.add(done.future());
      connect().onSuccess(connection -> loop(connection, events, deadline, done)).onFailure(done::fail);
    }
    Future.all(clients).toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
  }

  private Future<RawHttpConnection> connect() {
    String host = args.getOrDefault("host", "127.0.0.1");
    return netClient.connect(Integer.parseInt(args.getOrDefault("port", "8080")), host)
        .map(socket -> new RawHttpConnection(socket, host, "/api/v1/track-costs", key));
  }

  private void loop(RawHttpConnection connection, Events events, long deadline, Promise<Void> done) {
    if (System.nanoTime() >= deadline) {
      done.complete();
      return;
    }
    long start = System.nanoTime();
    post(connection, events.next()).onComplete(r -> {
      latency.recordValue((System.nanoTime() - start) / 1000);
      loop(connection, events, deadline, done);
    });
  }

  private void openLoop(long rate) throws Exception {
    long interval = TimeUnit.SECONDS.toNanos(1) / Math.max(1, rate);
    intervalNanos = interval;
    List<RawHttpConnection> connections = new ArrayList<>();
    for (int i = 0; i < Integer.parseInt(args.getOrDefault("connections", "64")); i++) {
      connections.add(connect().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    }
    // The schedule starts once the connections are open: sends due while the generator was still
    // connecting would count its own set-up as the service's latency.
    long start = System.nanoTime();
    long deadline = start + durationNanos();
    Events events = new Events();
    AtomicLong scheduled = new AtomicLong();
    AtomicLong outstanding = new AtomicLong();
    Promise<Void> finished = Promise.promise();
    AtomicLong next = new AtomicLong();
    long timeline = perSecond != null ? printEverySecond(start) : -1;
    vertx.setPeriodic(1, id -> {
      long now = System.nanoTime();
      long due = Math.min(now, deadline);
      // Catch up with every send that was due by now: a slow server makes latency grow, not the rate fall.
      while (start + scheduled.get() * interval <= due) {
        long intended = start + scheduled.getAndIncrement() * interval;
        outstanding.incrementAndGet();
        RawHttpConnection connection = idlest(connections, next.getAndIncrement());
        post(connection, events.next()).onComplete(r -> {
          long micros = (System.nanoTime() - intended) / 1000;
          latency.recordValue(micros);
          if (perSecond != null) {
            perSecond.recordValue(micros);
          }
          if (outstanding.decrementAndGet() == 0 && System.nanoTime() >= deadline) {
            finished.tryComplete();
          }
        });
      }
      if (now >= deadline) {
        vertx.cancelTimer(id);
        if (outstanding.get() == 0) {
          finished.tryComplete();
        }
      }
    });
    finished.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
    if (timeline >= 0) {
      vertx.cancelTimer(timeline);
    }
  }

  /** The open loop's --timeline: each second's answers and latency, from the phase's start. */
  private long printEverySecond(long start) {
    perSecond.reset();
    return vertx.setPeriodic(1000, id -> {
      var second = perSecond.getIntervalHistogram();
      System.err.printf("second %d (%s): %d answers, p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
          Math.round((System.nanoTime() - start) / 1e9), LocalTime.now().withNano(0), second.getTotalCount(),
          second.getValueAtPercentile(50) / 1000.0, second.getValueAtPercentile(99) / 1000.0,
          second.getMaxValue() / 1000.0);
    });
  }

  /** An idle connection if there is one (HTTP/1.1 answers pipelined requests one after another). */
  private static RawHttpConnection idlest(List<RawHttpConnection> connections, long start) {
    RawHttpConnection best = null;
    for (int i = 0; i < connections.size(); i++) {
      RawHttpConnection candidate = connections.get((int) ((start + i) % connections.size()));
      if (best == null || candidate.pending() < best.pending()) {
        best = candidate;
        if (best.pending() == 0) {
          break;
        }
      }
    }
    return best;
  }

  private Future<Void> post(RawHttpConnection connection, String event) {
    sent.incrementAndGet();
    return connection.post(event)
        .map(body -> {
          count(new JsonObject(body));
          return (Void) null;
        })
        .otherwise(e -> {
          errors.incrementAndGet();
          totalErrors.incrementAndGet();
          return null;
        });
  }

  private void count(JsonObject result) {
    switch (result.getString("status", "")) {
      case "charged" -> {
        charged.incrementAndGet();
        totalCharged.incrementAndGet();
      }
      case "duplicate" -> duplicates.incrementAndGet();
      default -> {
        errors.incrementAndGet();
        totalErrors.incrementAndGet();
      }
    }
    if (ackLog != null) {
      synchronized (this) {
        ackLog.println(result.getString("event_id") + " " + result.getString("status"));
      }
    }
  }

  private void streams() throws Exception {
    int streams = Integer.parseInt(args.getOrDefault("streams", "4"));
    int window = Integer.parseInt(args.getOrDefault("window", "2000"));
    long deadline = System.nanoTime() + durationNanos();
    Events events = new Events();
    List<Future<Void>> all = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      all.add(stream(() -> System.nanoTime() < deadline ? events.next() : null, window));
    }
    // A stream cut by a crashing server ends the phase; its errors are counted, not thrown.
    Future.join(all).otherwiseEmpty().toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
  }

  private void replay() throws Exception {
    List<String> lines = Files.readAllLines(Path.of(args.get("file")));
    java.util.Iterator<String> it = lines.iterator();
    stream(() -> {
      synchronized (it) {
        return it.hasNext() ? it.next() : null;
      }
    }, Integer.parseInt(args.getOrDefault("window", "2000")))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
  }

  /** One NDJSON stream: keeps {@code window} lines in flight; answers arrive in order. */
  private Future<Void> stream(java.util.function.Supplier<String> source, int window) {
    Promise<Void> done = Promise.promise();
    ArrayDeque<Long> sendTimes = new ArrayDeque<>();
    client.request(HttpMethod.POST, "/api/v1/track-costs").onSuccess(req -> {
      req.setChunked(true).putHeader("Authorization", "Bearer " + key)
          .putHeader("Content-Type", "application/x-ndjson");
      boolean[] ended = {false};
      Runnable fill = () -> {
        while (!ended[0] && sendTimes.size() < window && !req.writeQueueFull()) {
          String event = source.get();
          if (event == null) {
            ended[0] = true;
            req.end();
            return;
          }
          sent.incrementAndGet();
          if (sentLog != null) {
            sentLog.println(event);
          }
          sendTimes.add(System.nanoTime());
          req.write(event + "\n");
        }
      };
      req.drainHandler(v -> fill.run());
      req.response().onSuccess(resp -> {
        RecordParser parser = RecordParser.newDelimited("\n", resp);
        parser.handler(line -> {
          Long start = sendTimes.poll();
          if (start != null) {
            latency.recordValue((System.nanoTime() - start) / 1000);
          }
          count(new JsonObject(line));
          fill.run();
        });
        parser.endHandler(v -> done.tryComplete());
        parser.exceptionHandler(done::tryFail);
      }).onFailure(done::tryFail);
      req.exceptionHandler(done::tryFail);
      req.connection().closeHandler(v -> done.tryFail("connection closed"));
      fill.run();
    }).onFailure(done::tryFail);
    return done.future().onFailure(e -> {
      errors.incrementAndGet();
      totalErrors.incrementAndGet();
    });
  }

  private JsonObject report(String mode, long elapsedNanos) {
    var histogram = latency.getIntervalHistogram();
    double seconds = elapsedNanos / 1e9;
    JsonObject summary = new JsonObject()
        .put("mode", mode)
        .put("seconds", Math.round(seconds * 10) / 10.0)
        .put("events", sent.get())
        .put("charged", charged.get())
        .put("duplicates", duplicates.get())
        .put("errors", errors.get())
        .put("events_per_s", Math.round(sent.get() / seconds))
        .put("charged_per_s", Math.round(charged.get() / seconds))
        .put("p50_ms", histogram.getValueAtPercentile(50) / 1000.0)
        .put("p95_ms", histogram.getValueAtPercentile(95) / 1000.0)
        .put("p99_ms", histogram.getValueAtPercentile(99) / 1000.0)
        .put("max_ms", histogram.getMaxValue() / 1000.0);
    if (mode.equals("rate")) {
      summary.put("target_rate", TimeUnit.SECONDS.toNanos(1) / Math.max(1, intervalNanos));
    }
    return summary;
  }

  private void close() throws Exception {
    if (sentLog != null) {
      sentLog.close();
    }
    if (ackLog != null) {
      ackLog.close();
    }
    client.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
