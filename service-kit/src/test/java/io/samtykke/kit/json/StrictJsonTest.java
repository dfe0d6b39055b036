package io.samtykke.kit.json;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the services' one strict reading of JSON refuses, and that it still reads ordinary requests. */
class StrictJsonTest {

    enum Action { GRANT, DENY }

    record Source(String appId, Integer count, Boolean flag) {
    }

    record Body(Action action, Source source, Instant occurredAt, List<String> tags, Map<String, String> names) {
    }

    // as in Quarkus: the JavaTimeModule is registered first, the customizer after it
    private final ObjectMapper mapper = StrictJson.apply(new ObjectMapper().registerModule(new JavaTimeModule()));

    @Test
    void readsAnOrdinaryRequest() throws Exception {
        Body b = mapper.readValue("""
                {"action":"GRANT","source":{"appId":"nabogo-app","count":3,"flag":true},
                 "occurredAt":"2026-03-05T19:41:02.123+01:00","tags":["a\\tb","line\\nbreak"],
                 "names":{"da":"Nyhedsbrev 📰","en":"Newsletter"}}""", Body.class);
        assertEquals(Action.GRANT, b.action());
        assertEquals(Instant.parse("2026-03-05T18:41:02.123Z"), b.occurredAt());
        assertEquals("Nyhedsbrev 📰", b.names().get("da"));
        assertEquals(List.of("a\tb", "line\nbreak"), b.tags());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"action\":0}",                                   // enum position
            "{\"action\":\"GRANT\",\"action\":\"DENY\"}",       // duplicate key, last would win
            "{\"source\":{\"appId\":123}}",                     // number as string
            "{\"source\":{\"appId\":true}}",                    // boolean as string
            "{\"source\":{\"appId\":1.5}}",
            "{\"source\":{\"count\":\"3\"}}",                   // string as number
            "{\"source\":{\"count\":1.5}}",                     // fraction as integer
            "{\"source\":{\"flag\":1}}",                        // number as boolean
            "{\"source\":{\"flag\":\"true\"}}",
            "{\"source\":{\"appId\":\"a\\u0000b\"}}",           // NUL
            "{\"source\":{\"appId\":\"a\\u001bb\"}}",           // ESC
            "{\"source\":{\"appId\":\"a\\ud800b\"}}",           // lone high surrogate
            "{\"source\":{\"appId\":\"a\\udc00\"}}",            // lone low surrogate
            "{\"tags\":[\"ok\",\"\\u0000\"]}",                  // in a list
            "{\"names\":{\"d\\u0000a\":\"x\"}}",                // in a key
            "{\"occurredAt\":\"0000-01-01T00:00:00Z\"}",        // year 0
            "{\"occurredAt\":\"-0001-01-01T00:00:00Z\"}",
            "{\"occurredAt\":\"0123-01-01T00:00:00Z\"}",
            "{\"occurredAt\":\"1969-12-31T23:59:59Z\"}",
            "{\"occurredAt\":\"+10000-01-01T00:00:00Z\"}",
            "{\"occurredAt\":1700000000}",                      // epoch seconds
            "{\"occurredAt\":\"1700000000\"}",
            "{\"occurredAt\":\"2026-01-01T00:00:00\"}",         // no offset
            "{\"occurredAt\":\"2026-01-01\"}",
            "{\"occurredAt\":\"2026-13-01T00:00:00Z\"}",
            "{\"occurredAt\":\"2026-01-01T00:00:00+0100\"}",
            "{\"action\":\"GRANT\"} {}",                        // trailing content
    })
    void refuses(String json) {
        Exception e = assertThrows(Exception.class, () -> mapper.readValue(json, Body.class), json);
        assertTrue(e instanceof com.fasterxml.jackson.core.JsonProcessingException, e.toString());
    }

    @Test
    void aRefusalSaysWhyAndWhere() {
        MismatchedInputException e = assertThrows(MismatchedInputException.class,
                () -> mapper.readValue("{\"source\":{\"appId\":\"ab\\u0000\"}}", Body.class));
        assertTrue(e instanceof StrictJson.Refused);
        assertEquals("the text contains the control character U+0000 at position 2", e.getOriginalMessage());
        assertEquals("appId", e.getPath().get(e.getPath().size() - 1).getFieldName());
    }

    @Test
    void timesAtTheBounds() throws Exception {
        assertEquals(Instant.EPOCH, mapper.readValue("{\"occurredAt\":\"1970-01-01T00:00:00Z\"}", Body.class).occurredAt());
        assertEquals(Instant.parse("9999-12-31T23:59:59Z"),
                mapper.readValue("{\"occurredAt\":\"9999-12-31T23:59:59Z\"}", Body.class).occurredAt());
        assertEquals(Instant.parse("2026-01-01T00:00:00Z"),
                mapper.readValue("{\"occurredAt\":\"2026-01-01t00:00:00z\"}", Body.class).occurredAt());
    }
}
