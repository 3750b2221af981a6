package io.github.citusjdbc.tenant;

import io.github.citusjdbc.CitusSqlState;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;

/**
 * Validation and quoting of tenant (schema) names, applied before anything is sent.
 *
 * <p>A valid name is exactly one schema name, as stored in the catalog (case-sensitive):
 * <ul>
 *   <li>1 to 63 bytes in UTF-8 (PostgreSQL's {@code NAMEDATALEN - 1}; longer names would be
 *       silently truncated by the server, so two tenants could collapse into one);</li>
 *   <li>made of letters, ASCII digits {@code 0-9}, {@code _} and {@code $};</li>
 *   <li>starting with a letter or {@code _}.</li>
 * </ul>
 * <b>"Letter"</b> means a Unicode letter ({@link Character#isLetter(int)}: categories Lu, Ll, Lt,
 * Lm, Lo), ASCII or not, because PostgreSQL accepts non-ASCII characters in identifiers and
 * tenants may well be named in other scripts. Not letters, hence rejected: combining marks (so a
 * decomposed {@code e + U+0301} fails where the precomposed {@code é} passes; names are compared
 * code point by code point, never normalized), non-ASCII digits, spaces of every kind, format
 * characters (zero-width joiners, bidi controls), unpaired surrogates. Everything else — quotes,
 * commas, whitespace, semicolons, backslashes, dots, control characters, the empty string,
 * {@code null} — is rejected with SQLState {@code 42602} ({@link CitusSqlState#INVALID_NAME}).
 *
 * <p>The name always travels quoted ({@link #quote(String)}), so the server never folds its case.
 * Thread-safe (stateless).
 */
public final class TenantName {
    /** Longest name in UTF-8 bytes ({@code NAMEDATALEN - 1}). */
    public static final int MAX_BYTES = 63;
    private static final int MAX_ECHO = 80;

    private TenantName() {
    }

    /**
     * Checks a tenant name.
     *
     * @param name the schema name, exactly as in the catalog
     * @return {@code name}, for chaining
     * @throws SQLException with SQLState {@code 42602} ({@link CitusSqlState#INVALID_NAME}) naming the problem; the message
     *     shows the name with control and invisible characters escaped as {@code \\uXXXX}
     */
    public static String validate(String name) throws SQLException {
        String problem = problem(name);
        if (problem != null) {
            throw new SQLException(name == null ? "invalid tenant name: " + problem
                    : "invalid tenant name \"" + printable(name) + "\": " + problem, CitusSqlState.INVALID_NAME.getState());
        }
        return name;
    }

    /** @return whether {@link #validate(String)} would accept {@code name} */
    public static boolean isValid(String name) {
        return problem(name) == null;
    }

    /**
     * Quotes a name as an SQL identifier: {@code "name"}, doubling any {@code "} (a valid tenant
     * name has none, so for those this only adds the quotes).
     *
     * @param name an identifier, not null
     * @return the quoted identifier
     */
    public static String quote(String name) {
        StringBuilder sb = new StringBuilder(name.length() + 2);
        appendQuoted(sb, name);
        return sb.toString();
    }

    static void appendQuoted(StringBuilder sb, String name) {
        sb.append('"');
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '"') {
                sb.append('"');
            }
            sb.append(c);
        }
        sb.append('"');
    }

    /** @return what is wrong with the name, or null when it is valid */
    private static String problem(String name) {
        if (name == null) {
            return "it is null";
        }
        if (name.isEmpty()) {
            return "it is empty";
        }
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            boolean ok = cp == '_' || Character.isLetter(cp)
                    || (i > 0 && ((cp >= '0' && cp <= '9') || cp == '$'));
            if (!ok) {
                return describe(cp) + " at position " + i + " is not allowed"
                        + (i == 0 ? " (a name starts with a letter or _)" : " (only letters, digits 0-9, _ and $)");
            }
            i += Character.charCount(cp);
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            return "it is " + bytes + " bytes long in UTF-8, more than " + MAX_BYTES;
        }
        return null;
    }

    private static String describe(int cp) {
        if (cp >= '0' && cp <= '9') {
            return "digit '" + (char) cp + "'";
        }
        if (isInvisible(cp) || Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
            return String.format("character U+%04X", cp);
        }
        return "character '" + new String(Character.toChars(cp)) + "'";
    }

    /** The name as safe to print in a message: control, format and unpaired surrogate characters escaped, length capped. */
    static String printable(String name) {
        StringBuilder sb = new StringBuilder(Math.min(name.length(), MAX_ECHO) + 8);
        for (int i = 0; i < name.length() && i < MAX_ECHO; ) {
            int cp = name.codePointAt(i);
            if (isInvisible(cp) || cp == '\\') {
                sb.append(String.format("\\u%04X", cp));
            } else {
                sb.appendCodePoint(cp);
            }
            i += Character.charCount(cp);
        }
        if (name.length() > MAX_ECHO) {
            sb.append("...");
        }
        return sb.toString();
    }

    private static boolean isInvisible(int cp) {
        int type = Character.getType(cp);
        return Character.isISOControl(cp) || type == Character.FORMAT || type == Character.SURROGATE
                || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
                || type == Character.UNASSIGNED || type == Character.PRIVATE_USE;
    }
}
