package io.samtykke.audit.verifier;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** RFC 4180 records, read one at a time; a quoted field may span lines and doubles its quotes. */
public final class Csv {

    private final BufferedReader in;

    public Csv(BufferedReader in) {
        this.in = in;
    }

    /** The next record, or null at the end. */
    public List<String> next() throws IOException, VerificationException {
        String line = in.readLine();
        while (line != null && line.isEmpty()) {
            line = in.readLine();
        }
        return line == null ? null : row(line);
    }

    /** The record that starts with {@code line}, reading further lines while a quoted field is open. */
    public List<String> row(String line) throws IOException, VerificationException {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        String rest = line;
        int i = 0;
        while (true) {
            if (i == rest.length()) {
                if (!quoted) {
                    fields.add(field.toString());
                    return fields;
                }
                rest = in.readLine();
                if (rest == null) {
                    throw new VerificationException("the CSV ends inside a quoted field");
                }
                field.append("\r\n");
                i = 0;
                continue;
            }
            char c = rest.charAt(i++);
            if (quoted) {
                if (c == '"' && i < rest.length() && rest.charAt(i) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"' && field.length() == 0) {
                quoted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
    }

    /** One field as RFC 4180 writes it: quoted when it holds a comma, quote or line break. */
    public static String field(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }
}
