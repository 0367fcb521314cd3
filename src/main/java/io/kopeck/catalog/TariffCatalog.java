package io.kopeck.catalog;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.audit.AuditLog;
import io.kopeck.audit.AuditLog.Actor;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.SqlResult;
import io.vertx.sqlclient.Tuple;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** The tariff catalog: list, create, update, deactivate — each change audited in its transaction. */
public final class TariffCatalog {
  private static final Set<String> DECIMAL_COLUMNS = Set.of("price", "tokens", "subscription_fee");
  private static final Set<String> JSON_COLUMNS = Set.of("names", "descriptions");
  private static final String SELECT_FOR_UPDATE = "SELECT " + Tariff.COLUMNS + " FROM tariffs WHERE slug = $1 FOR UPDATE";

  private final Pool pool;
  private final SqlTemplate<Map<String, Object>, SqlResult<List<Tariff>>> all;

  public TariffCatalog(Pool pool) {
    this.pool = pool;
    this.all = SqlTemplate.forQuery(pool, "SELECT " + Tariff.COLUMNS + " FROM tariffs ORDER BY sort_order, slug")
        .collecting(Collectors.mapping(Tariff::of, Collectors.toList()));
  }

  public Future<List<Tariff>> list() {
    return all.execute(Map.of()).map(SqlResult::value);
  }

  /** One tariff by id, read on {@code client} (the caller's transaction); it must exist (a key points at it). */
  public Future<Tariff> byId(SqlClient client, java.util.UUID id) {
    return client.preparedQuery("SELECT " + Tariff.COLUMNS + " FROM tariffs WHERE id = $1").execute(Tuple.of(id))
        .map(rows -> Tariff.of(rows.iterator().next()));
  }

  public Future<Tariff> create(ObjectNode json, Actor actor) {
    TariffFields fields = TariffFields.forCreate(json);
    return pool.withTransaction(tx -> insert(tx, fields)
        .compose(tariff -> tariff == null
            ? Future.failedFuture(CatalogRefusal.TARIFF_EXISTS.because("A tariff with this slug exists"))
            : AuditLog.record(tx, actor, "tariff.create", "tariff", tariff.slug(), null, null, tariff.toJson())
                .map(tariff)));
  }

  public Future<Tariff> update(String slug, ObjectNode json, Actor actor) {
    return pool.withTransaction(tx -> lock(tx, slug).compose(current -> {
      TariffFields fields = TariffFields.forUpdate(json, current);
      return change(tx, slug, fields.values())
          .compose(updated -> AuditLog.record(tx, actor, "tariff.update", "tariff", slug, null, current.toJson(),
              updated.toJson()).map(updated));
    }));
  }

  /** Takes the tariff off sale; invoices and subscriptions that use it are not touched. */
  public Future<Tariff> deactivate(String slug, Actor actor) {
    return pool.withTransaction(tx -> lock(tx, slug).compose(current -> change(tx, slug, Map.of("is_active", false))
        .compose(updated -> AuditLog.record(tx, actor, "tariff.deactivate", "tariff", slug, null, current.toJson(),
            updated.toJson()).map(updated))));
  }

  /**
   * First start only: with an empty catalog, inserts the defaults. An operator's catalog, even one
   * with every default deleted or edited, is never touched. Safe with several instances starting.
   */
  public Future<Integer> seedIfEmpty(List<ObjectNode> defaults) {
    return pool.withTransaction(tx -> tx.query("SELECT count(*) FROM tariffs").execute().compose(rows -> {
      if (rows.iterator().next().getLong(0) > 0) {
        return Future.succeededFuture(0);
      }
      Future<Integer> inserted = Future.succeededFuture(0);
      for (ObjectNode json : defaults) {
        TariffFields fields = TariffFields.forCreate(json);
        inserted = inserted.compose(n -> insert(tx, fields).compose(tariff -> tariff == null
            ? Future.succeededFuture(n)
            : AuditLog.record(tx, Actor.SYSTEM, "tariff.seed", "tariff", tariff.slug(), null, null, tariff.toJson())
                .map(n + 1)));
      }
      return inserted;
    }));
  }

  private static Future<Tariff> lock(SqlConnection tx, String slug) {
    return tx.preparedQuery(SELECT_FOR_UPDATE).execute(Tuple.of(slug)).map(rows -> {
      if (rows.size() == 0) {
        throw CatalogRefusal.TARIFF_NOT_FOUND.because("No tariff with slug '" + slug + "'");
      }
      return Tariff.of(rows.iterator().next());
    });
  }

  /** Inserts; answers null when the slug is taken (ON CONFLICT DO NOTHING). */
  private static Future<Tariff> insert(SqlConnection tx, TariffFields fields) {
    Map<String, Object> values = fields.values();
    List<String> columns = new ArrayList<>(values.keySet());
    String placeholders = placeholders(columns, 1);
    String sql = "INSERT INTO tariffs (" + String.join(", ", columns) + ") VALUES (" + placeholders + ") "
        + "ON CONFLICT (slug) DO NOTHING RETURNING " + Tariff.COLUMNS;
    return tx.preparedQuery(sql).execute(Tuple.wrap(new ArrayList<>(values.values())))
        .map(rows -> rows.size() == 0 ? null : Tariff.of(rows.iterator().next()));
  }

  /** Sets the given columns (names come from the fixed set TariffFields accepts, never from input). */
  private static Future<Tariff> change(SqlConnection tx, String slug, Map<String, Object> values) {
    List<String> columns = new ArrayList<>(values.keySet());
    String assignments = String.join(", ", columnAssignments(columns));
    String sql = "UPDATE tariffs SET " + assignments + ", updated_at = now() WHERE slug = $1 RETURNING " + Tariff.COLUMNS;
    List<Object> params = new ArrayList<>();
    params.add(slug);
    params.addAll(values.values());
    return tx.preparedQuery(sql).execute(Tuple.wrap(params)).map(rows -> Tariff.of(rows.iterator().next()));
  }

  private static List<String> columnAssignments(List<String> columns) {
    List<String> assignments = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      assignments.add(columns.get(i) + " = " + parameter(columns.get(i), i + 2));
    }
    return assignments;
  }

  private static String placeholders(List<String> columns, int first) {
    List<String> parameters = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      parameters.add(parameter(columns.get(i), first + i));
    }
    return String.join(", ", parameters);
  }

  /** Decimals travel as text and are cast in SQL, so they arrive exactly; texts by language as JSON text. */
  private static String parameter(String column, int index) {
    return DECIMAL_COLUMNS.contains(column) ? "$" + index + "::text::numeric"
        : JSON_COLUMNS.contains(column) ? "$" + index + "::text::jsonb" : "$" + index;
  }
}
