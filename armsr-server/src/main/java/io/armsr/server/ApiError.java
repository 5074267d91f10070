package io.armsr.server;

import java.util.Objects;

/**
 * A request the service refuses: the HTTP status, a stable machine-readable code and a one-line
 * message for people, answered as {@code {"error": code, "message": message}} ({@link ArmServer}).
 * Never carries a stack trace to the client.
 *
 * @param retryAfterSeconds for 503: when to try again ({@code Retry-After}), or 0
 */
public final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** 400: a parameter that is unknown, malformed or out of range; an empty body. */
  public static final String BAD_PARAMETER = "bad_parameter";

  /** 400: no image in the body. */
  public static final String EMPTY_BODY = "empty_body";

  /** 413: a body over the byte limit, or an image over the pixel or memory limit. */
  public static final String TOO_LARGE = "too_large";

  /** 422: a body that is not a readable image (not an image, truncated, corrupt). */
  public static final String BAD_IMAGE = "bad_image";

  /** 503: every engine slot busy and the queue full. */
  public static final String OVERLOADED = "overloaded";

  /** 503: the deadline passed, or would pass, before an engine slot came free. */
  public static final String DEADLINE = "deadline_exceeded";

  /** 404: no such resource. */
  public static final String NOT_FOUND = "not_found";

  /** 405: a resource that takes other methods. */
  public static final String METHOD_NOT_ALLOWED = "method_not_allowed";

  /** 500: a bug; the message carries an id to find its stack trace in the server's log by. */
  public static final String INTERNAL = "internal";

  private final int status;
  private final String code;
  private final int retryAfterSeconds;

  public ApiError(int status, String code, String message) {
    this(status, code, message, 0);
  }

  /**
   * @param retryAfterSeconds for 503: when to try again ({@code Retry-After}), or 0
   */
  public ApiError(int status, String code, String message, int retryAfterSeconds) {
    super(Objects.requireNonNull(message, "message"), null, false, false);
    this.status = status;
    this.code = Objects.requireNonNull(code, "code");
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }

  static ApiError badParameter(String message) {
    return new ApiError(400, BAD_PARAMETER, message);
  }
}
