package io.kopeck.web;

/** The HTTP edge's settings (SPEC §9, §11, §17). */
public record HttpSettings(int httpPort, int maxBodyBytes, int shutdownTimeoutSeconds, int httpReadTimeoutSeconds,
                           int httpMaxConnections, int httpMaxConnectionsPerIp, ClientAddress clients,
                           boolean accessLog) {
}
