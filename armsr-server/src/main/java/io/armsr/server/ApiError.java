package io.armsr.server;

import java.util.Objects;

/**
 * A request the service refuses: the HTTP status, a stable machine-readable code and a one-line
 * message for people, answered as {@code {"error": code, "message": message}} ({@link ArmServer}).
 * Never carries a stack trace to the client.
 */
public final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** 400: a parameter that is unknown, malformed or out of range; an empty body. */
  public static final String BAD_PARAMETER = "bad_parameter";

  /** 400: no image in the body. */
  public static final String EMPTY_BODY = "empty_body";

  /** 413: a body over the byte limit, or an image over the pixel or memory limit. */
  public static final String TOO_LARGE = "too_large";

  /** 415: a body that is no image this server reads (told by its first bytes). */
  public static final String NOT_AN_IMAGE = "unsupported_media_type";

  /** 422: an image that cannot be read (truncated, corrupt, an unsupported layout). */
  public static final String BAD_IMAGE = "bad_image";

  /** 408: the body did not arrive in time (a slow or stalled upload). */
  public static final String UPLOAD_TIMEOUT = "upload_timeout";

  /** 401: an API key is required and the request has not the right one. */
  public static final String UNAUTHORIZED = "unauthorized";

  /** 503: every worker busy and the queue full. */
  public static final String OVERLOADED = "overloaded";

  /** 503: not even the bicubic image could be served within the SLO: refused on arrival. */
  public static final String SLO_UNREACHABLE = "slo_unreachable";

  /** 503: the time allowed passed before a worker came free. */
  public static final String DEADLINE = "deadline_exceeded";

  /** 503: the server is starting (the model or the engine is not ready yet). */
  public static final String NOT_READY = "not_ready";

  /** 503: the server is stopping and takes no new requests. */
  public static final String SHUTTING_DOWN = "shutting_down";

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
