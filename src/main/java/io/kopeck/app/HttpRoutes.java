package io.kopeck.app;

import io.vertx.ext.web.Router;

/** What a feature adds to the HTTP edge. One instance per HTTP verticle instance. */
public interface HttpRoutes {

  /** Routes that read their own request body as a stream; mounted before the body handler. */
  default void mountStreaming(Router router) {
  }

  /** Routes that see the whole body, already size-checked by the body handler. */
  void mount(Router router);
}
