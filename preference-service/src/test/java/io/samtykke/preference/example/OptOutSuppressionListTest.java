package io.samtykke.preference.example;

import io.quarkus.test.junit.QuarkusTest;
import io.samtykke.contract.Channel;
import io.samtykke.contract.ConsentAction;
import io.samtykke.contract.ConsentState;
import io.samtykke.contract.LegalBasis;
import io.samtykke.contract.PurposeCategory;
import io.samtykke.contract.SubjectEventType;
import io.samtykke.preference.ConsentLedger;
import io.samtykke.preference.FakeConsentService.Purpose;
import io.samtykke.testsupport.KafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The README's example consumer, run against the real broker: withdrawals and objections (also the objection to all
 * direct marketing) land in its file, once each.
 * A @QuarkusTest only to share the test JVM's one broker with the other tests.
 */
@QuarkusTest
class OptOutSuppressionListTest {

    @Test
    void theExampleConsumerKeepsEveryOptOutOnceInItsSuppressionFile(@TempDir Path dir) throws Exception {
        String tenant = "example-" + UUID.randomUUID().toString().substring(0, 6);
        Purpose newsletter = new Purpose("newsletter", Channel.EMAIL, PurposeCategory.MARKETING, LegalBasis.CONSENT, Map.of(), Map.of());
        Purpose productNews = new Purpose("product-news", Channel.EMAIL, PurposeCategory.MARKETING, LegalBasis.EXISTING_CUSTOMER,
                Map.of(), Map.of());
        ConsentLedger.record(tenant, "anna", newsletter, ConsentAction.GRANT, ConsentState.GRANTED, null);
        var withdrawal = ConsentLedger.record(tenant, "anna", newsletter, ConsentAction.WITHDRAW, ConsentState.WITHDRAWN, null);
        ConsentLedger.publish(withdrawal); // delivered twice, as after a producer retry
        ConsentLedger.record(tenant, "bo", productNews, ConsentAction.OBJECT, ConsentState.OBJECTED, null);
        // anna objects to all direct marketing: a person-wide opt-out with its own sequence (1, beside her consents' 2)
        var objection = ConsentLedger.recordSubject(tenant, "anna", SubjectEventType.OBJECTED);
        ConsentLedger.publish(objection);

        Path file = dir.resolve("suppressed.tsv");
        OptOutSuppressionList.run(KafkaBroker.shared().bootstrapServers(), "example-" + tenant, file, Duration.ofSeconds(5));

        List<String> ours = Files.readAllLines(file).stream().filter(l -> l.startsWith(tenant + "\t")).toList();
        assertEquals(List.of(tenant + "\tanna\t*\tobjected\t1", tenant + "\tanna\tnewsletter\twithdrawn\t2",
                tenant + "\tbo\tproduct-news\tobjected\t1"), ours);
    }
}
