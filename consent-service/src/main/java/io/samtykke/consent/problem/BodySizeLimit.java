package io.samtykke.consent.problem;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.samtykke.consent.config.ConsentConfig;
import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.Problem;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.List;

/**
 * Refuses bodies above {@code samtykke.consent.max-body-bytes} with a problem+json 413 before they
 * are read. (Quarkus' own limit, set higher as a backstop for chunked uploads, answers without a body.)
 */
@ApplicationScoped
public class BodySizeLimit {

    @Inject
    ConsentConfig config;

    @Inject
    ObjectMapper json;

    void install(@Observes Router router) {
        long limit = config.consent().maxBodyBytes();
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && parse(length) > limit) {
                String detail = "the body has " + length + " bytes; at most " + limit + " are accepted";
                Problem p = new Problem(CommonProblem.PAYLOAD_TOO_LARGE.uri(), CommonProblem.PAYLOAD_TOO_LARGE.title(), 413,
                        detail, ctx.request().path(), List.of());
                try {
                    ctx.response().setStatusCode(413)
                            .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                            .putHeader(HttpHeaders.CONNECTION, "close")
                            .end(json.writeValueAsString(p));
                } catch (Exception e) {
                    ctx.fail(413);
                }
                return;
            }
            ctx.next();
        });
    }

    private static long parse(String length) {
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }
}
