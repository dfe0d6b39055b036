package io.samtykke.consent.record;

import io.samtykke.consent.config.ConsentConfig;
import io.samtykke.consent.identifier.IdentifierStore;
import io.samtykke.consent.purpose.PurposeService;
import io.samtykke.consent.record.ConsentApi.Change;
import io.samtykke.consent.record.ConsentApi.ConsentRequest;
import io.samtykke.consent.record.ConsentApi.EvidenceRequest;
import io.samtykke.contract.ActorType;
import io.samtykke.contract.ConsentAction;
import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.ProblemException;
import io.samtykke.kit.problem.RequestErrors;
import io.samtykke.kit.security.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a consent write must satisfy before the database is asked anything: shape, sizes and who may say what.
 * Everything wrong with a body is answered at once as one RFC 9457 problem with a pointer per field.
 */
@ApplicationScoped
public class ConsentRequestValidator {

    public static final Pattern SUBJECT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@+|-]{0,127}");

    @Inject
    ConsentConfig config;

    @Inject
    IdentifierStore identifiers;

    public static void validateSubjectId(String subjectId) {
        if (subjectId == null || !SUBJECT_ID.matcher(subjectId).matches()) {
            throw ProblemException.at(CommonProblem.VALIDATION, "/subjectId",
                    "subjectId must be 1-128 characters: letters, digits and . _ : @ + | -");
        }
    }

    public void validate(ConsentRequest r, Caller caller) {
        RequestErrors errors = new RequestErrors();
        if (r == null || r.changes() == null || r.changes().isEmpty()) {
            errors.require(false, "/changes", "at least one change is required").throwIfAny();
        }
        int max = config.consent().maxChangesPerRequest();
        if (r.changes().size() > max) {
            throw ProblemException.at(CommonProblem.TOO_MANY_ITEMS, "/changes",
                    r.changes().size() + " changes; at most " + max + " per request");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < r.changes().size(); i++) {
            Change c = r.changes().get(i);
            String at = "/changes/" + i;
            if (c == null) {
                errors.require(false, at, "is null");
                continue;
            }
            errors.requirePresent(c.purpose(), at + "/purpose")
                    .requireMatch(c.purpose(), PurposeService.KEY, at + "/purpose", "purpose key")
                    .requirePresent(c.action(), at + "/action")
                    .require(c.action() != ConsentAction.EXPIRE, at + "/action", "EXPIRE is applied by the system only")
                    .require(c.action() != ConsentAction.GRANT || c.noticeVersion() != null, at + "/noticeVersion",
                            "is required to GRANT: it proves what the person was shown")
                    .requireMaxLength(c.noticeVersion(), 40, at + "/noticeVersion")
                    .require(c.purpose() == null || seen.add(c.purpose()), at + "/purpose",
                            "purpose '" + c.purpose() + "' appears twice in one request");
        }
        EvidenceRequest ev = r.evidence();
        if (ev != null) {
            errors.requireMatch(ev.language(), PurposeService.LANGUAGE, "/evidence/language", "language tag")
                    .requireMaxLength(ev.userAgent(), 1024, "/evidence/userAgent")
                    .requireFieldValue(ev.userAgent(), "/evidence/userAgent")
                    .require(ev.ipAddress() == null || IpPrefix.of(ev.ipAddress()) != null, "/evidence/ipAddress",
                            "is not an IPv4 or IPv6 address")
                    .require(ev.ipAddress() == null || caller.roles().contains(Caller.APP), "/evidence/ipAddress",
                            "only an app relaying for a device may set it")
                    .require(ev.actor() == null || !caller.isSubjectOnly() || ev.actor().type() == null
                            || ev.actor().type() == ActorType.SUBJECT, "/evidence/actor/type",
                            "a subject token always acts as SUBJECT");
            if (ev.source() != null) {
                errors.requireMaxLength(ev.source().appId(), 100, "/evidence/source/appId")
                        .requireSingleLine(ev.source().appId(), "/evidence/source/appId")
                        .requireMaxLength(ev.source().platform(), 50, "/evidence/source/platform")
                        .requireSingleLine(ev.source().platform(), "/evidence/source/platform")
                        .requireMaxLength(ev.source().appVersion(), 50, "/evidence/source/appVersion")
                        .requireSingleLine(ev.source().appVersion(), "/evidence/source/appVersion")
                        .requireMaxLength(ev.source().collectionPoint(), 200, "/evidence/source/collectionPoint")
                        .requireSingleLine(ev.source().collectionPoint(), "/evidence/source/collectionPoint");
            }
            if (ev.actor() != null) {
                errors.requireMaxLength(ev.actor().id(), 200, "/evidence/actor/id")
                        .requireSingleLine(ev.actor().id(), "/evidence/actor/id");
            }
        }
        if (r.identifiers() != null) {
            identifiers.validate(r.identifiers(), "/identifiers", errors);
        }
        errors.throwIfAny();
    }
}
