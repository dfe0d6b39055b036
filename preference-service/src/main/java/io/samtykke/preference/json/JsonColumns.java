package io.samtykke.preference.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Map;

/**
 * The service's jsonb columns (preferences, topic and purpose texts), written and read as text with the service's
 * own ObjectMapper, so every store reads them alike. What the service wrote and cannot read back is the database's
 * fault, never the caller's: an {@link IllegalStateException} (a 500).
 */
@ApplicationScoped
public class JsonColumns {

    private static final TypeReference<Map<String, String>> TEXTS = new TypeReference<>() {
    };

    @Inject
    ObjectMapper json;

    public String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot store " + value, e);
        }
    }

    public <T> T read(String value, TypeReference<T> type) {
        try {
            return json.readValue(value, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored " + type.getType().getTypeName() + " is unreadable", e);
        }
    }

    /** Names or descriptions by language tag, as the topic and purpose catalogs keep them. */
    public Map<String, String> texts(String value) {
        return read(value, TEXTS);
    }
}
