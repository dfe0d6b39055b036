package io.samtykke.kit.kafka;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How to reach the samtykke topics: the part of a service's Kafka configuration ({@code kafka.*} properties, as
 * Quarkus hands them to the messaging channels) that every client a service makes by hand needs too: where the
 * brokers are and how to connect to them (TLS, SASL). So {@code kafka.security.protocol=SASL_SSL} and friends reach
 * every client, not only the channels.
 */
public final class KafkaConnection {

    private static final List<String> PREFIXES = List.of("security.", "ssl.", "sasl.");

    private KafkaConnection() {
    }

    public static Map<String, Object> settings(Map<String, Object> kafkaConfig) {
        Map<String, Object> settings = new HashMap<>();
        settings.put("bootstrap.servers", String.valueOf(kafkaConfig.getOrDefault("bootstrap.servers", "127.0.0.1:9092")));
        kafkaConfig.forEach((key, value) -> {
            if (key.equals("client.dns.lookup") || PREFIXES.stream().anyMatch(key::startsWith)) {
                settings.put(key, value);
            }
        });
        return settings;
    }
}
