package io.samtykke.kit.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.KeyDeserializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * One strict reading of JSON for every service, so all of them refuse the same input the same way (400
 * problem+json naming the field, through each service's mapper of Jackson's exceptions):
 * <ul>
 * <li>duplicate keys, trailing content, enum positions ({@code "action": 0}), nulls for primitives;</li>
 * <li>no scalar coercion: a number or boolean where a string is expected ({@code "appId": 123}), a string
 * or a fraction where a number is expected, a number where a boolean is expected;</li>
 * <li>strings (values and keys) with a C0 control character other than tab, line feed and carriage return
 * (NUL included), or with a lone UTF-16 surrogate: no consumer or database has to cope with them;</li>
 * <li>instants only as RFC 3339 date-times with an offset ({@code 2026-03-05T18:41:02Z}), years 1970-9999:
 * no epoch numbers, no local times, nothing another consumer's parser rejects.</li>
 * </ul>
 * Fields may be stricter still (one-line names refuse line breaks); that is each service's validation.
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    /** RFC 3339 section 5.6 date-time, four-digit year. */
    static final Pattern RFC_3339 = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})");
    public static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");

    /** A value the strict reading refuses; its message says why, for the problem's detail. */
    public static final class Refused extends MismatchedInputException {
        Refused(JsonParser p, String message, Class<?> targetType) {
            super(p, message, targetType);
        }
    }

    @Override
    public void customize(ObjectMapper mapper) {
        apply(mapper);
    }

    /** Applied last, after Quarkus registered the JavaTimeModule, so this module's Instant reading wins. */
    @Override
    public int priority() {
        return MINIMUM_PRIORITY;
    }

    /** Makes {@code mapper} strict; for mappers outside CDI (tests, tools). */
    @SuppressWarnings("deprecation") // ALLOW_COERCION_OF_SCALARS has no non-deprecated switch on an existing mapper
    public static ObjectMapper apply(ObjectMapper mapper) {
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        mapper.enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS, DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
                DeserializationFeature.FAIL_ON_TRAILING_TOKENS, DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        mapper.configure(MapperFeature.ALLOW_COERCION_OF_SCALARS, false);
        for (CoercionInputShape shape : new CoercionInputShape[] {CoercionInputShape.Integer, CoercionInputShape.Float,
                CoercionInputShape.Boolean}) {
            mapper.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Float).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Enum).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        SimpleModule module = new SimpleModule("samtykke-strict-json");
        module.addDeserializer(String.class, STRICT_STRING);
        module.addKeyDeserializer(String.class, new StrictKey());
        module.addDeserializer(Instant.class, STRICT_INSTANT);
        mapper.registerModule(module);
        return mapper;
    }

    /** Why {@code s} may not be in a request, or null when it may. */
    public static String problemOf(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                return String.format("contains the control character U+%04X at position %d", (int) c, i);
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return String.format("contains a lone surrogate U+%04X at position %d (not Unicode text)", (int) c, i);
            }
            if (Character.isLowSurrogate(c)) {
                return String.format("contains a lone surrogate U+%04X at position %d (not Unicode text)", (int) c, i);
            }
        }
        return null;
    }

    /**
     * A value that must be a JSON string that {@code read} accepts: {@code read} gives null to refuse it, and
     * {@code refusal} says why. One deserializer for every strictly read scalar, so they refuse alike.
     */
    static final class FromString<T> extends StdScalarDeserializer<T> {
        private final String expected;
        private final Function<String, T> read;
        private final UnaryOperator<String> refusal;

        FromString(Class<T> type, String expected, Function<String, T> read, UnaryOperator<String> refusal) {
            super(type);
            this.expected = expected;
            this.read = read;
            this.refusal = refusal;
        }

        @Override
        public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                throw new Refused(p, "expected " + expected + ", not " + describe(p.currentToken()), handledType());
            }
            String s = p.getText();
            T value = read.apply(s);
            if (value == null) {
                throw new Refused(p, refusal.apply(s), handledType());
            }
            return value;
        }
    }

    /** Text without C0 controls (but tab, line feed, carriage return) or lone surrogates. */
    static final FromString<String> STRICT_STRING = new FromString<>(String.class, "a string",
            s -> problemOf(s) == null ? s : null, s -> "the text " + problemOf(s));

    /** RFC 3339 date-times with an offset, 1970 to 9999 only. */
    static final FromString<Instant> STRICT_INSTANT = new FromString<>(Instant.class,
            "an RFC 3339 date-time string such as 2026-03-05T18:41:02Z", StrictJson::parse,
            s -> "'" + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "' is not an RFC 3339 date-time"
                    + " with an offset between the years 1970 and 9999, such as 2026-03-05T18:41:02Z");

    static final class StrictKey extends KeyDeserializer {
        @Override
        public Object deserializeKey(String key, DeserializationContext ctxt) throws IOException {
            String problem = problemOf(key);
            if (problem != null) {
                throw new Refused(ctxt.getParser(), "the key " + problem, String.class);
            }
            return key;
        }
    }

    /** {@code s} as an instant when it is an RFC 3339 date-time with an offset in 1970-9999, else null. */
    public static Instant parse(String s) {
        if (s == null || !RFC_3339.matcher(s).matches()) {
            return null;
        }
        try {
            Instant instant = OffsetDateTime.parse(s.toUpperCase(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            return instant.isBefore(EARLIEST) || instant.isAfter(LATEST) ? null : instant;
        } catch (DateTimeException e) {
            return null; // month 13, second 61 and the like
        }
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "nothing";
        }
        return switch (t) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            default -> t.asString() == null ? t.name() : t.asString();
        };
    }
}
