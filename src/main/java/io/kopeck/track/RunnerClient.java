package io.kopeck.track;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.common.StrictJson;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.multipart.MultipartForm;
import java.util.regex.Pattern;

/**
 * The Runner's task API as the seed system calls it (SPEC §18): {@code GET /health} answering
 * {@code {"status": "healthy"}}, and task creation — a multipart form to the track's path with the
 * user's Telegram id and the input, answered {@code {task_id, status, queue_position, stream_url}},
 * or a non-200 with a {@code detail} to show. Both with {@code X-API-Key: RUNNER_STREAM_KEY}.
 */
public final class RunnerClient {
  /** How long a health answer is believed (SPEC §18: 30 s). */
  static final long HEALTH_CACHE_NANOS = 30_000_000_000L;
  private static final Pattern TASK_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final int MAX_DETAIL = 500;

  /** What the user gave: a text (text, url, urls) or a file. */
  public record TaskInput(String text, String filename, String mediaType, Buffer file) {
    public static TaskInput text(String text) {
      return new TaskInput(text, null, null, null);
    }

    public static TaskInput file(String filename, String mediaType, Buffer content) {
      return new TaskInput(null, filename, mediaType, content);
    }

    static TaskInput none() {
      return new TaskInput(null, null, null, null);
    }
  }

  /** The Runner took the task. */
  public record Task(String taskId, String status, int queuePosition, String streamUrl) {
  }

  private final WebClient client;
  private final String baseUrl;
  private final String key;
  private volatile Boolean healthy;
  private volatile long checkedAt;

  public RunnerClient(Vertx vertx, String baseUrl, String key) {
    this.client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(5_000).setIdleTimeout(30),
        new PoolOptions().setHttp1MaxSize(50));
    this.baseUrl = baseUrl.replaceAll("/+$", "");
    this.key = key;
  }

  public boolean configured() {
    return !baseUrl.isEmpty();
  }

  /** Whether the Runner answers healthy; a fresh answer (under 30 s) is reused. */
  public Future<Boolean> healthy() {
    Boolean known = healthy;
    if (known != null && System.nanoTime() - checkedAt < HEALTH_CACHE_NANOS) {
      return Future.succeededFuture(known);
    }
    return checkHealth();
  }

  /** Asks the Runner now (the admins' /healthcheck): true when it answers {@code {"status": "healthy"}}. */
  public Future<Boolean> checkHealth() {
    if (!configured()) {
      return Future.succeededFuture(false);
    }
    return client.getAbs(baseUrl + "/health").putHeader("X-API-Key", key).timeout(5_000).send()
        .map(RunnerClient::saysHealthy).otherwise(false)
        .onSuccess(answer -> {
          healthy = answer;
          checkedAt = System.nanoTime();
        });
  }

  private static boolean saysHealthy(HttpResponse<Buffer> response) {
    if (response.statusCode() != 200 || response.body() == null) {
      return false;
    }
    try {
      return "healthy".equals(StrictJson.readObject(response.body().getBytes()).path("status").asText());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Creates the task: {@code POST {base}{path}}, multipart with {@code userField} = the Telegram id and
   * the input under {@code inputField}. Fails with {@link TrackRefusal#RUNNER_REFUSED} (the Runner's
   * detail) on a non-200 answer, {@link TrackRefusal#RUNNER_UNAVAILABLE} when it cannot be reached or
   * answers something that is not a task.
   */
  public Future<Task> create(Track track, long telegramId, TaskInput input) {
    MultipartForm form = MultipartForm.create().attribute(track.runner().userField(), Long.toString(telegramId));
    if (input.file() != null) {
      form.binaryFileUpload(track.input().field(), input.filename(), input.file(), input.mediaType());
    } else if (input.text() != null) {
      form.attribute(track.input().field(), input.text());
    }
    return client.postAbs(baseUrl + track.runner().path()).putHeader("X-API-Key", key).multipartMixed(false)
        .timeout(30_000).sendMultipartForm(form)
        .recover(e -> Future.failedFuture(TrackRefusal.RUNNER_UNAVAILABLE.because("Runner unreachable: " + e.getMessage())))
        .compose(RunnerClient::task);
  }

  private static Future<Task> task(HttpResponse<Buffer> response) {
    ObjectNode body;
    try {
      body = response.body() == null ? StrictJson.newObject() : StrictJson.readObject(response.body().getBytes());
    } catch (IllegalArgumentException e) {
      body = StrictJson.newObject();
    }
    if (response.statusCode() != 200) {
      return Future.failedFuture(TrackRefusal.RUNNER_REFUSED.because(detail(body, response.statusCode())));
    }
    String taskId = body.path("task_id").asText("");
    String streamUrl = body.path("stream_url").asText("");
    JsonNode position = body.get("queue_position");
    if (!TASK_ID.matcher(taskId).matches() || !streamUrl.startsWith("/") || streamUrl.startsWith("//")
        || streamUrl.length() > 2000 || streamUrl.contains(" ")) {
      return Future.failedFuture(TrackRefusal.RUNNER_UNAVAILABLE.because("The Runner's answer is not a task"));
    }
    int queue = position != null && position.canConvertToInt() ? Math.max(0, position.intValue()) : 0;
    return Future.succeededFuture(new Task(taskId, body.path("status").asText("queued"), queue, streamUrl));
  }

  /** The Runner's own words (FastAPI's {@code detail}: a string, or a list of problems), shortened. */
  private static String detail(ObjectNode body, int status) {
    JsonNode detail = body.get("detail");
    String text = detail == null ? "HTTP " + status : detail.isTextual() ? detail.textValue() : detail.toString();
    return text.length() > MAX_DETAIL ? text.substring(0, MAX_DETAIL) + "…" : text;
  }

  public void close() {
    client.close();
  }
}
