package io.pgnode.host.rest;

import io.pgnode.host.error.ErrorCode;
import io.pgnode.host.error.NodeException;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpRequestParser;

/**
 * Checks the request's path and query string. Undertow is told not to decode URLs and to let every character
 * through ({@code DECODE_URL=false}, {@code ALLOW_UNESCAPED_CHARACTERS_IN_URL=true}): left to itself it answers a
 * bad %-escape or a stray character with a bare 400 before any handler runs. The node reads no query and no
 * escaped path, so the check is only whether the URL is well-formed, and a malformed one is the node's JSON
 * 400 {@code INVALID_URL}.
 */
final class RequestTarget {

    private static final int SHOWN_CHARS = 80;

    private RequestTarget() {}

    static void check(HttpServerExchange exchange) {
        check(exchange.getRequestURI(), "path");
        check(exchange.getQueryString(), "query string");
    }

    private static void check(String part, String name) {
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c == '%') {
                if (i + 2 >= part.length() || !isHex(part.charAt(i + 1)) || !isHex(part.charAt(i + 2))) {
                    throw malformed(part, name, "a % that does not start an escape like %20 (send a % itself as %25)");
                }
            } else if (c > 0xff || !HttpRequestParser.isTargetCharacterAllowed(c)) {
                throw malformed(part, name, c < 0x20 || c > 0x7e
                        ? "the unescaped byte 0x" + Integer.toHexString(c)
                        : "the unescaped character '" + c + "'");
            }
        }
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0 && c < 0x80;
    }

    private static NodeException malformed(String part, String name, String problem) {
        String shown = part.length() > SHOWN_CHARS ? part.substring(0, SHOWN_CHARS) + "..." : part;
        return new NodeException(ErrorCode.INVALID_URL,
                "The request URL is malformed: its " + name + " '" + shown + "' has " + problem + ".");
    }
}
