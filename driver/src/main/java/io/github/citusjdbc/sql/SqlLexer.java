package io.github.citusjdbc.sql;

/**
 * A PostgreSQL SQL tokenizer over a {@code String}, as a cursor: {@link #next()} returns the type
 * of the next token and leaves its bounds in {@link #start} and {@link #end}; nothing is allocated
 * per token. Comments and whitespace are skipped. Never throws: an unterminated string, quoted
 * identifier, dollar quote or block comment runs to the end of the text and sets {@link #unterminated}.
 *
 * <p>Lexical rules are PostgreSQL's for the connection's {@code standard_conforming_strings}
 * (off: a backslash escapes the next character in {@code '...'} and {@code N'...'}, as in
 * {@code E'...'}); where pgjdbc's
 * own parser decides something the server would not see (statement splitting, {@code ?}
 * placeholders and their {@code ??} escape), pgjdbc's rule is followed, because pgjdbc decides
 * what is sent. Not thread-safe; one instance per pass.
 */
final class SqlLexer {
    static final int EOF = 0;
    /** Unquoted identifier or keyword. */
    static final int WORD = 1;
    static final int QUOTED_IDENT = 2;
    /** Any string constant: '...', E'...', B'...', X'...', N'...', U&'...', $tag$...$tag$. */
    static final int STRING = 3;
    static final int NUMBER = 4;
    /** A JDBC {@code ?} placeholder (not {@code ??}, which pgjdbc sends as a literal {@code ?}). */
    static final int PARAM = 5;
    static final int LPAREN = 6;
    static final int RPAREN = 7;
    static final int SEMICOLON = 8;
    static final int LBRACE = 9;
    static final int RBRACE = 10;
    /** A positional parameter {@code $1}. */
    static final int DOLLAR_PARAM = 11;
    /** Any other operator or punctuation character (one token per character). */
    static final int OP = 12;

    private final String s;
    private final int n;
    /** The server's {@code standard_conforming_strings}: off makes backslashes escape in {@code '...'}. */
    private final boolean standardConformingStrings;
    private int pos;
    /** Bounds of the last token returned: {@code [start, end)}. */
    int start;
    int end;
    /** Whether the text ended inside a string, quoted identifier, dollar quote or block comment. */
    boolean unterminated;
    /** Whether a non-whitespace character (comments included) was seen since {@link #resetFragment()}: pgjdbc's notion of a non-empty query. */
    boolean fragmentNonEmpty;

    SqlLexer(String s, boolean standardConformingStrings) {
        this.s = s;
        this.n = s.length();
        this.standardConformingStrings = standardConformingStrings;
    }

    /** Starts a new pgjdbc fragment (after a splitting semicolon). */
    void resetFragment() {
        fragmentNonEmpty = false;
    }

    /** @return the type of the next token, or {@link #EOF} */
    int next() {
        skipSpaceAndComments();
        if (pos >= n) {
            start = end = n;
            return EOF;
        }
        start = pos;
        char c = s.charAt(pos);
        // pgjdbc counts semicolons as blank when it decides whether a piece is worth sending.
        fragmentNonEmpty |= c != ';';
        int type;
        switch (c) {
            case '\'' -> type = quoted(pos, !standardConformingStrings);
            case '"' -> type = quotedIdent(pos);
            case '$' -> type = dollar();
            case '?' -> {
                // pgjdbc turns "??" into a literal '?' (for jsonb operators such as ?| written ??|).
                boolean doubled = pos + 1 < n && s.charAt(pos + 1) == '?';
                pos += doubled ? 2 : 1;
                type = doubled ? OP : PARAM;
            }
            case '(' -> type = single(LPAREN);
            case ')' -> type = single(RPAREN);
            case ';' -> type = single(SEMICOLON);
            case '{' -> type = single(LBRACE);
            case '}' -> type = single(RBRACE);
            default -> {
                if (isIdentStart(c)) {
                    type = word();
                } else if (c >= '0' && c <= '9') {
                    type = number();
                } else {
                    type = single(OP);
                }
            }
        }
        end = pos;
        return type;
    }

    private int single(int type) {
        pos++;
        return type;
    }

    private void skipSpaceAndComments() {
        while (pos < n) {
            char c = s.charAt(pos);
            if (Character.isWhitespace(c)) {
                pos++;
            } else if (c == '-' && pos + 1 < n && s.charAt(pos + 1) == '-') {
                fragmentNonEmpty = true; // pgjdbc sends a comment-only fragment (the server answers EmptyQuery)
                pos += 2;
                while (pos < n && s.charAt(pos) != '\n' && s.charAt(pos) != '\r') {
                    pos++;
                }
            } else if (c == '/' && pos + 1 < n && s.charAt(pos + 1) == '*') {
                fragmentNonEmpty = true;
                blockComment();
            } else {
                return;
            }
        }
    }

    private void blockComment() {
        int depth = 0;
        while (pos < n) {
            char c = s.charAt(pos);
            if (c == '/' && pos + 1 < n && s.charAt(pos + 1) == '*') {
                depth++;
                pos += 2;
            } else if (c == '*' && pos + 1 < n && s.charAt(pos + 1) == '/') {
                pos += 2;
                if (--depth == 0) {
                    return;
                }
            } else {
                pos++;
            }
        }
        unterminated = true;
    }

    /** A single-quoted string whose opening quote is at {@code quote}; backslash escapes only when {@code escapes} (E''). */
    private int quoted(int quote, boolean escapes) {
        pos = quote + 1;
        while (pos < n) {
            char c = s.charAt(pos);
            if (c == '\\' && escapes) {
                pos += 2;
            } else if (c == '\'') {
                if (pos + 1 < n && s.charAt(pos + 1) == '\'') {
                    pos += 2;
                } else {
                    pos++;
                    return STRING;
                }
            } else {
                pos++;
            }
        }
        pos = n;
        unterminated = true;
        return STRING;
    }

    private int quotedIdent(int quote) {
        pos = quote + 1;
        while (pos < n) {
            if (s.charAt(pos) == '"') {
                if (pos + 1 < n && s.charAt(pos + 1) == '"') {
                    pos += 2;
                } else {
                    pos++;
                    return QUOTED_IDENT;
                }
            } else {
                pos++;
            }
        }
        unterminated = true;
        return QUOTED_IDENT;
    }

    /** {@code $1}, a dollar quote {@code $tag$...$tag$}, or a lone {@code $} operator. */
    private int dollar() {
        int p = pos + 1;
        if (p < n && s.charAt(p) >= '0' && s.charAt(p) <= '9') {
            while (p < n && s.charAt(p) >= '0' && s.charAt(p) <= '9') {
                p++;
            }
            pos = p;
            return DOLLAR_PARAM;
        }
        if (p < n && isIdentStart(s.charAt(p))) {
            while (p < n && isDollarTagCont(s.charAt(p))) {
                p++;
            }
        }
        if (p >= n || s.charAt(p) != '$') {
            pos++;
            return OP;
        }
        int tagEnd = p + 1; // the tag is s[pos, tagEnd), both dollars included
        int close = s.indexOf(s.substring(pos, tagEnd), tagEnd);
        if (close < 0) {
            pos = n;
            unterminated = true;
        } else {
            pos = close + (tagEnd - start);
        }
        return STRING;
    }

    private int word() {
        int p = pos + 1;
        while (p < n && isIdentCont(s.charAt(p))) {
            p++;
        }
        if (p - pos == 1 && p < n) {
            char c = s.charAt(pos);
            char q = s.charAt(p);
            if (q == '\'') {
                // E'..' has backslash escapes; N'..' is an ordinary '..' (escapes when standard_conforming_strings
                // is off); B'..' and X'..' never have escapes.
                boolean e = c == 'e' || c == 'E';
                boolean national = c == 'n' || c == 'N';
                if (e || national || c == 'b' || c == 'B' || c == 'x' || c == 'X') {
                    return quoted(p, e || (national && !standardConformingStrings));
                }
            } else if ((c == 'u' || c == 'U') && q == '&' && p + 1 < n) {
                // U&'..' and U&".." quote like '..' and ".." (escapes are decoded after lexing).
                char q2 = s.charAt(p + 1);
                if (q2 == '\'') {
                    return quoted(p + 1, false);
                } else if (q2 == '"') {
                    return quotedIdent(p + 1);
                }
            }
        }
        pos = p;
        return WORD;
    }

    private int number() {
        int p = pos + 1;
        while (p < n) {
            char c = s.charAt(p);
            if ((c >= '0' && c <= '9') || c == '.' || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
                p++;
            } else {
                break;
            }
        }
        pos = p;
        return NUMBER;
    }

    /** PostgreSQL's {@code ident_start}: ASCII letters, {@code _}, and every non-ASCII character. */
    static boolean isIdentStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c > 127;
    }

    /** PostgreSQL's {@code ident_cont}: {@code ident_start}, digits and {@code $}. */
    static boolean isIdentCont(char c) {
        return isIdentStart(c) || (c >= '0' && c <= '9') || c == '$';
    }

    private static boolean isDollarTagCont(char c) {
        return isIdentStart(c) || (c >= '0' && c <= '9');
    }

    /**
     * @return whether {@code s[start, end)} is the keyword {@code lowerKeyword}, comparing with
     *     PostgreSQL's ASCII case folding of unquoted identifiers
     */
    static boolean isKeyword(String s, int start, int end, String lowerKeyword) {
        int len = lowerKeyword.length();
        if (end - start != len) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            char c = s.charAt(start + i);
            if (c >= 'A' && c <= 'Z') {
                c += 32;
            }
            if (c != lowerKeyword.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
