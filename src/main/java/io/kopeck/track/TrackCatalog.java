package io.kopeck.track;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.audit.AuditLog;
import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.common.StrictJson;
import io.kopeck.usage.TrackMultipliers;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The tracks an owner defined (SPEC §18): created, changed and deactivated by admins (API and CLI,
 * each change audited), seeded once from conf/tracks.json. Every instance keeps the definitions in
 * memory for at most {@link #FRESH_NANOS} — the charge path asks for a track's multiplier on every
 * event — and reloads them in the background when they are older.
 */
public final class TrackCatalog implements TrackMultipliers {
  /** How long an instance may answer from definitions it loaded: a change made elsewhere is seen within this. */
  static final long FRESH_NANOS = 10_000_000_000L;
  private static final String COLUMNS = "slug, command, title::text AS title, description::text AS description, "
      + "input::text AS input, runner::text AS runner, price::text AS price, hold, requires_subscription, sort_order, "
      + "is_active";
  private static final String ALL = "SELECT " + COLUMNS + " FROM tracks ORDER BY sort_order, slug";
  private static final String ONE = "SELECT " + COLUMNS + " FROM tracks WHERE slug = $1";
  private static final String INSERT = """
      INSERT INTO tracks (slug, command, title, description, input, runner, price, hold, requires_subscription,
                          sort_order, is_active, created_at, updated_at)
      VALUES ($1, $2, $3::text::jsonb, $4::text::jsonb, $5::text::jsonb, $6::text::jsonb, $7::text::jsonb,
              $8::text::numeric, $9, $10, $11, now(), now())""";
  private static final String SEED = INSERT + " ON CONFLICT DO NOTHING RETURNING slug";
  private static final String UPDATE = """
      UPDATE tracks SET command = $2, title = $3::text::jsonb, description = $4::text::jsonb, input = $5::text::jsonb,
        runner = $6::text::jsonb, price = $7::text::jsonb, hold = $8::text::numeric, requires_subscription = $9,
        sort_order = $10, is_active = $11, updated_at = now()
      WHERE slug = $1""";

  private final Pool pool;
  private final BigDecimal defaultMultiplier;
  private final Set<String> reservedCommands;
  private volatile Map<String, Track> bySlug = Map.of();
  private volatile long loadedAt;
  /** Set by a change made here (and before the first load): the next read reloads. */
  private volatile boolean stale = true;
  private final AtomicBoolean loading = new AtomicBoolean();
  private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();

  /**
   * {@code defaultMultiplier}: COST_MULTIPLIER, for a definition without price.multiplier;
   * {@code reservedCommands}: the bot's own commands, which no track may take.
   */
  public TrackCatalog(Pool pool, BigDecimal defaultMultiplier, Set<String> reservedCommands) {
    this.pool = pool;
    this.defaultMultiplier = defaultMultiplier;
    this.reservedCommands = Set.copyOf(reservedCommands);
  }

  /** Told after a change made through this instance (the bot registers its command menu again). */
  public void onChange(Runnable listener) {
    changeListeners.add(listener);
  }

  private void changed() {
    stale = true;
    changeListeners.forEach(Runnable::run);
  }

  /** Every track, active or not, in menu order. */
  public Future<List<Track>> list() {
    return pool.query(ALL).execute().map(rows -> {
      List<Track> tracks = new ArrayList<>();
      rows.forEach(row -> tracks.add(track(row)));
      return tracks;
    }).onSuccess(this::remember);
  }

  /** The active tracks in menu order, from memory when it is fresh. */
  public Future<List<Track>> active() {
    Future<Map<String, Track>> tracks = fresh() ? Future.succeededFuture(bySlug) : list().map(all -> bySlug);
    return tracks.map(map -> map.values().stream().filter(Track::active)
        .sorted(Comparator.comparingInt(Track::sortOrder).thenComparing(Track::slug)).toList());
  }

  /** The active track a command starts, or null. */
  public Future<Track> byCommand(String command) {
    return active().map(tracks -> tracks.stream().filter(t -> t.command().equals(command)).findFirst().orElse(null));
  }

  /** The track as this instance last loaded it (active or not), or null: for texts, never for prices. */
  Track cached(String slug) {
    return slug == null ? null : bySlug.get(slug);
  }

  /** The track, or a {@link TrackRefusal#TRACK_NOT_FOUND} failure. */
  public Future<Track> find(String slug) {
    return find(pool, slug);
  }

  private Future<Track> find(SqlClient client, String slug) {
    return client.preparedQuery(ONE).execute(Tuple.of(slug)).map(rows -> {
      if (rows.size() == 0) {
        throw TrackRefusal.TRACK_NOT_FOUND.because("No track " + slug);
      }
      return track(rows.iterator().next());
    });
  }

  /**
   * The multiplier of an active track by slug, for the charge path (SPEC §18): from memory; definitions
   * older than {@link #FRESH_NANOS} are reloaded in the background while the current ones answer.
   */
  @Override
  public BigDecimal of(String slug) {
    if (!fresh() && loading.compareAndSet(false, true)) {
      list().onComplete(done -> loading.set(false));
    }
    Track track = bySlug.get(slug);
    return track == null || !track.active() ? null : track.price().multiplier();
  }

  public Future<Track> create(ObjectNode json, Actor actor) {
    Track track = TrackDefinition.parse(json, defaultMultiplier, reservedCommands);
    return pool.withTransaction(tx -> tx.preparedQuery(INSERT).execute(params(track))
            .compose(v -> AuditLog.record(tx, actor, "track.create", "track", track.slug(), null, null, track.toJson())))
        .recover(TrackCatalog::conflict).map(track).onSuccess(v -> changed());
  }

  /** Changes the fields given (objects merged field by field); the slug never changes. */
  public Future<Track> update(String slug, ObjectNode patch, Actor actor) {
    if (patch.has("slug") && !patch.get("slug").asText().equals(slug)) {
      return Future.failedFuture(TrackRefusal.INVALID_TRACK.because("slug cannot change; create a new track instead"));
    }
    return pool.withTransaction(tx -> find(tx, slug).compose(current -> {
      ObjectNode merged = TrackDefinition.merge(StrictJson.readObject(current.toJson().encode()), patch);
      Track changed = TrackDefinition.parse(merged, defaultMultiplier, reservedCommands);
      return tx.preparedQuery(UPDATE).execute(params(changed))
          .compose(v -> AuditLog.record(tx, actor, "track.update", "track", slug, null, current.toJson(),
              changed.toJson()))
          .map(changed);
    })).recover(TrackCatalog::conflict).onSuccess(v -> changed());
  }

  public Future<Track> deactivate(String slug, Actor actor) {
    return update(slug, StrictJson.readObject("{\"is_active\": false}"), actor);
  }

  /** First start: the definitions of conf/tracks.json; a catalog with any track is left as it is. */
  public Future<Integer> seedIfEmpty(List<ObjectNode> definitions) {
    List<Track> tracks = definitions.stream().map(d -> TrackDefinition.parse(d, defaultMultiplier, reservedCommands))
        .toList();
    return pool.withTransaction(tx -> tx.query("SELECT count(*) AS n FROM tracks").execute().compose(rows -> {
      if (rows.iterator().next().getLong("n") > 0 || tracks.isEmpty()) {
        return Future.succeededFuture(0);
      }
      // Instances starting together may both find the table empty: the first insert of a track wins.
      Future<Integer> chain = Future.succeededFuture(0);
      for (Track track : tracks) {
        chain = chain.compose(seeded -> tx.preparedQuery(SEED).execute(params(track)).compose(inserted -> inserted.size() == 0
            ? Future.succeededFuture(seeded)
            : AuditLog.record(tx, Actor.SYSTEM, "track.seed", "track", track.slug(), null, null, track.toJson())
                .map(seeded + 1)));
      }
      return chain;
    })).onSuccess(v -> stale = true);
  }

  private boolean fresh() {
    return !stale && System.nanoTime() - loadedAt < FRESH_NANOS;
  }

  private void remember(List<Track> tracks) {
    bySlug = tracks.stream().collect(Collectors.toUnmodifiableMap(Track::slug, Function.identity()));
    loadedAt = System.nanoTime();
    stale = false;
  }

  private static <T> Future<T> conflict(Throwable failure) {
    if (failure instanceof PgException pg && "23505".equals(pg.getSqlState())) {
      String constraint = pg.getConstraint() == null ? "" : pg.getConstraint();
      return Future.failedFuture(constraint.contains("command")
          ? TrackRefusal.COMMAND_TAKEN.because("Another track has this command")
          : TrackRefusal.TRACK_EXISTS.because("A track with this slug exists"));
    }
    return Future.failedFuture(failure);
  }

  private static Tuple params(Track track) {
    JsonObject json = track.toJson();
    return Tuple.of(track.slug(), track.command(), json.getJsonObject("title").encode(),
            json.getJsonObject("description").encode(), json.getJsonObject("input").encode(),
            json.getJsonObject("runner").encode(), json.getJsonObject("price").encode())
        .addValue(track.hold().toPlainString()).addValue(track.requiresSubscription()).addValue(track.sortOrder())
        .addValue(track.active());
  }

  /** A stored row, read with the same checks as a new definition (the bot's commands may have grown since). */
  private Track track(Row row) {
    JsonObject json = new JsonObject().put("slug", row.getString("slug")).put("command", row.getString("command"))
        .put("title", new JsonObject(row.getString("title"))).put("description", new JsonObject(row.getString("description")))
        .put("input", new JsonObject(row.getString("input"))).put("runner", new JsonObject(row.getString("runner")))
        .put("price", new JsonObject(row.getString("price"))).put("hold", row.getBigDecimal("hold").toPlainString())
        .put("requires_subscription", row.getBoolean("requires_subscription"))
        .put("sort_order", row.getInteger("sort_order")).put("is_active", row.getBoolean("is_active"));
    return TrackDefinition.parse(StrictJson.readObject(json.encode()), defaultMultiplier, Set.of());
  }
}
