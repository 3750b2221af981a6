package io.github.citusjdbc.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits SQL text into statements and classifies each, in one pass and without regular
 * expressions.
 *
 * <p>Lexing follows PostgreSQL ({@code --} and nested {@code /* *}{@code /} comments,
 * {@code '...'} with {@code ''}, {@code E'...'} with backslash escapes, {@code $tag$...$tag$},
 * {@code "..."} with {@code ""}, backslash escapes in {@code '...'} when the connection has
 * {@code standard_conforming_strings = off}). Statement boundaries
 * and placeholders follow pgjdbc, which decides what reaches the server: a semicolon ends a
 * statement only outside parentheses (so a {@code BEGIN ATOMIC ... END} body with semicolons is
 * split, as pgjdbc splits it), and {@code ?} is a placeholder unless doubled. JDBC escapes
 * ({@code {fn ...}}, {@code {call ...}}) are left as they are.
 *
 * <p>Never throws on any input: malformed text is classified conservatively (see
 * {@link SqlInfo#isTerminated()}; unknown statements are {@link StatementKind#OTHER}).
 */
public final class SqlClassifier {
    private SqlClassifier() {
    }

    /**
     * Classifies a SQL text as read with {@code standard_conforming_strings = on} (the default).
     *
     * @param sql the text as the application passes it to JDBC; {@code null} is treated as empty
     * @return the statements and derived facts, never null
     */
    public static SqlInfo classify(String sql) {
        return classify(sql, true);
    }

    /**
     * Classifies a SQL text. Costs one pass over the text; cache the result per distinct string
     * and setting.
     *
     * @param sql                       the text as the application passes it to JDBC; {@code null} is treated as empty
     * @param standardConformingStrings the connection's {@code standard_conforming_strings} (the server reports it)
     * @return the statements and derived facts, never null
     */
    public static SqlInfo classify(String sql, boolean standardConformingStrings) {
        String text = sql == null ? "" : sql;
        return new SqlInfo(text, standardConformingStrings, lex(text, standardConformingStrings));
    }

    /**
     * A SQL text to be classified at the first question about it: nothing is lexed when nothing asks
     * (a connection without routing and without a tenant pinned only sends the text).
     *
     * @param sql                       the text as the application passes it to JDBC; {@code null} is treated as empty
     * @param standardConformingStrings the connection's {@code standard_conforming_strings} now
     * @return its classification, lexed when first read
     */
    public static SqlInfo deferred(String sql, boolean standardConformingStrings) {
        return new SqlInfo(sql == null ? "" : sql, standardConformingStrings, null);
    }

    /** One pass of the lexer over {@code text}. */
    static SqlInfo.Facts lex(String text, boolean standardConformingStrings) {
        SqlLexer lexer = new SqlLexer(text, standardConformingStrings);
        StatementScanner scanner = new StatementScanner(text);
        List<StatementInfo> statements = new ArrayList<>(2);
        int queries = 0;
        scanner.reset();
        while (true) {
            int type = lexer.next();
            if (type == SqlLexer.EOF || (type == SqlLexer.SEMICOLON && scanner.depth() == 0)) {
                if (!scanner.isEmpty()) {
                    statements.add(scanner.finish());
                }
                if (lexer.fragmentNonEmpty) {
                    queries++;
                }
                if (type == SqlLexer.EOF) {
                    break;
                }
                lexer.resetFragment();
                scanner.reset();
            } else {
                scanner.accept(type, lexer.start, lexer.end);
            }
        }
        return new SqlInfo.Facts(statements, !lexer.unterminated, queries);
    }
}
