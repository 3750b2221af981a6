package io.github.citusjdbc.testkit.wire;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Framing is right whatever the chunking, including the untyped packets and the encryption answer. */
class WireParserTest {

    private static final class Recorder implements WireParser.Listener {
        final List<String> events = new ArrayList<>();

        @Override
        public void untyped(int code) {
            events.add("untyped:" + code);
        }

        @Override
        public void typed(char type, int firstBodyByte) {
            events.add(type + (firstBodyByte >= 0 ? ":" + (char) firstBodyByte : ""));
        }

        @Override
        public void encryptionAnswer(char answer) {
            events.add("answer:" + answer);
        }
    }

    private static byte[] untyped(int code, byte[] body) {
        return ByteBuffer.allocate(8 + body.length).putInt(8 + body.length).putInt(code).put(body).array();
    }

    private static byte[] typed(char type, String body) {
        byte[] b = body.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(5 + b.length).put((byte) type).putInt(4 + b.length).put(b).array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void clientStreamIsFramedAtEverySplitPoint() {
        byte[] stream = concat(untyped(WireParser.GSSENC_REQUEST, new byte[0]), untyped(WireParser.SSL_REQUEST, new byte[0]),
                untyped(196608, "user\0app\0\0".getBytes(StandardCharsets.US_ASCII)),
                typed('p', "SCRAM"), typed('P', "\0SELECT 1\0\0\0"), typed('B', "xxxx"), typed('E', "\0\0\0\0\0"),
                typed('S', ""), typed('X', ""));
        List<String> expected = List.of("untyped:" + WireParser.GSSENC_REQUEST, "untyped:" + WireParser.SSL_REQUEST,
                "untyped:196608", "p:S", "P:\0", "B:x", "E:\0", "S", "X");
        for (int split = 0; split <= stream.length; split++) {
            Recorder r = new Recorder();
            WireParser p = new WireParser(true, r);
            p.feed(stream, 0, split);
            p.feed(stream, split, stream.length - split);
            assertEquals(expected, r.events, "split at " + split);
        }
        Recorder r = new Recorder();
        WireParser p = new WireParser(true, r);
        for (int i = 0; i < stream.length; i++) {
            p.feed(stream, i, 1);
        }
        assertEquals(expected, r.events, "byte by byte");
    }

    @Test
    void serverStreamConsumesTheEncryptionAnswersThenFramesTypedMessages() {
        byte[] stream = concat(new byte[] {'N', 'N'}, typed('R', "\0\0\0\0"), typed('S', "a\0b\0"), typed('K', "12345678"),
                typed('Z', "I"), typed('1', ""), typed('2', ""), typed('T', "xx"), typed('D', "yy"), typed('C', "SELECT 1\0"),
                typed('Z', "T"), typed('N', "warn"), typed('Z', "E"));
        for (int split = 0; split <= stream.length; split++) {
            Recorder r = new Recorder();
            WireParser p = new WireParser(false, r);
            p.expectEncryptionAnswer();
            p.expectEncryptionAnswer();
            p.feed(stream, 0, split);
            p.feed(stream, split, stream.length - split);
            assertEquals(List.of("answer:N", "answer:N", "R:\0", "S:a", "K:1", "Z:I", "1", "2", "T:x", "D:y", "C:S", "Z:T",
                    "N:w", "Z:E"), r.events, "split at " + split);
        }
    }

    @Test
    void encryptedSessionStopsFraming() {
        Recorder r = new Recorder();
        WireParser p = new WireParser(false, r);
        p.expectEncryptionAnswer();
        p.feed(new byte[] {'S', 0x16, 0x03, 0x01}, 0, 4);
        assertEquals(List.of("answer:S"), r.events);
        assertTrue(p.passthrough());
    }

    @Test
    void oldServerErrorInsteadOfAnswerIsFramedAsAMessage() {
        Recorder r = new Recorder();
        WireParser p = new WireParser(false, r);
        p.expectEncryptionAnswer();
        byte[] err = typed('E', "SFATAL\0");
        p.feed(err, 0, err.length);
        assertEquals(List.of("E:S"), r.events);
        assertFalse(p.passthrough());
    }

    @Test
    void garbageLengthStopsRatherThanGuessing() {
        Recorder r = new Recorder();
        WireParser p = new WireParser(false, r);
        p.feed(new byte[] {'Z', 0, 0, 0, 1}, 0, 5);
        assertTrue(p.passthrough());
        assertTrue(r.events.isEmpty());
    }

    @Test
    void jdbcUrlsAreRewrittenKeepingDatabaseAndProperties() {
        assertEquals("jdbc:postgresql://127.0.0.1:7000/db?prepareThreshold=0",
                JdbcUrls.withHostPort("jdbc:postgresql://10.0.0.1:5433/db?prepareThreshold=0", "127.0.0.1", 7000));
        assertEquals("jdbc:postgresql://127.0.0.1:7000/db", JdbcUrls.withHostPort("jdbc:postgresql://h/db", "127.0.0.1", 7000));
        assertEquals(new JdbcUrls.HostPort("h", 5433), JdbcUrls.hostPort("jdbc:postgresql://h:5433/db"));
        assertEquals(new JdbcUrls.HostPort("h", 5432), JdbcUrls.hostPort("jdbc:postgresql://h/db"));
    }
}
