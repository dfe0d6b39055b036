package io.samtykke.audit.verifier;

import org.apache.commons.csv.CSVFormat;

/**
 * The CSV of an export: RFC 4180, read with Apache Commons CSV (a quoted field may span lines and doubles
 * its quotes; blank lines between records are skipped), written one field at a time by {@link #field}.
 */
public final class Csv {

    static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setIgnoreEmptyLines(true).get();

    private Csv() {
    }

    /**
     * One field as RFC 4180 writes it: quoted when it holds a comma, quote or line break, and only then (Commons CSV's
     * printer also quotes a field that starts with a character up to {@code #} or ends in a space).
     */
    public static String field(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }
}
