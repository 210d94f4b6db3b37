package zkafka.standin;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Base64;

/** Kafka-style UUIDs: 16 random bytes, URL-safe base64 without padding (22 characters). */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {}

    public static String randomUuid() {
        while (true) {
            byte[] b = new byte[16];
            RANDOM.nextBytes(b);
            // version 4 / IETF variant bits, as java.util.UUID.randomUUID() sets them
            b[6] = (byte) ((b[6] & 0x0f) | 0x40);
            b[8] = (byte) ((b[8] & 0x3f) | 0x80);
            String s = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
            if (!s.startsWith("-")) {
                return s;
            }
        }
    }

    /** Returns an error message, or null when s decodes to exactly 16 bytes. */
    public static String validate(String s) {
        try {
            byte[] b = Base64.getUrlDecoder().decode(s);
            if (b.length != 16) {
                return "Input string `" + s + "` decoded as " + b.length + " bytes, which is not equal to the expected 16 bytes of a base64-encoded UUID";
            }
            ByteBuffer bb = ByteBuffer.wrap(b);
            if (bb.getLong() == 0 && bb.getLong() <= 1) {
                return "The UUID " + s + " is reserved";
            }
            return null;
        } catch (IllegalArgumentException e) {
            return "Input string with prefix `" + s.substring(0, Math.min(s.length(), 8)) + "` is too long to be decoded as a base64 UUID";
        }
    }
}
