package io.samtykke.audit.verifier;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;

import java.io.IOException;
import java.util.Map;

/**
 * A strict JSON (RFC 8259) reader into plain Java values, with Jackson: objects become
 * {@code Map<String, Object>} in document order (duplicate names refused), arrays {@code List},
 * integers {@code Long} (or {@code BigInteger}), other numbers {@code BigDecimal}, and null {@code null}.
 * Nothing after the value, no comments, single quotes, trailing commas, leading zeros, NaN or raw control
 * characters in strings (Jackson's defaults); at most 64 levels of nesting; no limit on the length of a
 * string or number.
 */
public final class Json {

    private static final ObjectReader READER;

    static {
        JsonFactory factory = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(64)
                        .maxNumberLength(Integer.MAX_VALUE)
                        .maxStringLength(Integer.MAX_VALUE)
                        .maxNameLength(Integer.MAX_VALUE)
                        .build())
                .build();
        ObjectMapper mapper = JsonMapper.builder(factory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .addModule(new SimpleModule().addDeserializer(Number.class, new NumberDeserializer()))
                .build();
        READER = mapper.readerFor(Object.class);
    }

    private Json() {
    }

    /**
     * Numbers as the callers compare them: every integer a {@code Long} (Jackson's USE_LONG_FOR_INTS would refuse one
     * beyond a long instead of reading a {@code BigInteger}), every other number the exact {@code BigDecimal} written.
     */
    private static final class NumberDeserializer extends StdDeserializer<Number> {

        NumberDeserializer() {
            super(Number.class);
        }

        @Override
        public Number deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_NUMBER_FLOAT) {
                return p.getDecimalValue();
            }
            return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getBigIntegerValue() : (Number) p.getLongValue();
        }
    }

    public static Object parse(String text) throws VerificationException {
        try {
            return READER.readValue(text);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at character " + e.getLocation().getCharOffset();
            throw new VerificationException("not valid JSON: " + e.getOriginalMessage() + where);
        }
    }

    /** {@link #parse} of a text that must be an object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text) throws VerificationException {
        Object value = parse(text);
        if (!(value instanceof Map)) {
            throw new VerificationException("expected a JSON object");
        }
        return (Map<String, Object>) value;
    }
}
