package io.samtykke.kit.kafka;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class KafkaConnectionTest {

    @Test
    void theRelaysClientsConnectWithTheApplicationsTlsAndSaslSettingsButNothingChannelSpecific() {
        Map<String, Object> app = Map.of(
                "bootstrap.servers", "kafka-0.internal:9093",
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p\";",
                "ssl.truststore.location", "/etc/kafka/truststore.p12",
                "client.dns.lookup", "use_all_dns_ips",
                "group.id", "someone-elses-group",
                "auto.offset.reset", "latest");
        assertEquals(Map.of(
                "bootstrap.servers", "kafka-0.internal:9093",
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p\";",
                "ssl.truststore.location", "/etc/kafka/truststore.p12",
                "client.dns.lookup", "use_all_dns_ips"), KafkaConnection.settings(app));
        assertEquals(Map.of("bootstrap.servers", "127.0.0.1:9092"), KafkaConnection.settings(Map.of()), "the local default");
    }
}
