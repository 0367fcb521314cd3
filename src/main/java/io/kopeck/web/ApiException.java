package io.kopeck.web;

/**
 * A failure a client caused or can act on: it becomes {@code {"error": code, "message": message}}
 * with the given HTTP status. Anything else that escapes a handler is a 500 with a generic message.
 */
public class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;

  public ApiException(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public static ApiException badRequest(String code, String message) {
    return new ApiException(400, code, message);
  }

  public static ApiException notFound(String code, String message) {
    return new ApiException(404, code, message);
  }

  public static ApiException unauthorized() {
    return new ApiException(401, "unauthorized", "Missing or invalid Authorization: Bearer key");
  }
}
