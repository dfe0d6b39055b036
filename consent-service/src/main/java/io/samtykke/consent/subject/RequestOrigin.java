package io.samtykke.consent.subject;

import io.samtykke.consent.record.WriteContext;
import io.samtykke.consent.subject.SubjectRequestService.Origin;
import io.samtykke.kit.security.Caller;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;

/**
 * Where a step about a person comes from, as the request says it: the caller's address, user agent and W3C trace
 * context. A JAX-RS bean parameter, so the endpoints of data subject requests, objection, restriction and export
 * downloads take it as one parameter and make their {@link Origin} the same way.
 */
public class RequestOrigin {

    @HeaderParam(HttpHeaders.USER_AGENT)
    String userAgent;

    @HeaderParam("traceparent")
    String traceparent;

    @Context
    HttpServerRequest http;

    /** The origin of a step {@code caller} takes; a malformed traceparent is dropped. */
    Origin of(Caller caller) {
        String ip = http.remoteAddress() == null ? null : http.remoteAddress().hostAddress();
        return new Origin(caller, ip, userAgent, WriteContext.validTraceparent(traceparent));
    }
}
