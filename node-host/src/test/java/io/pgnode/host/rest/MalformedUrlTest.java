package io.pgnode.host.rest;

import static io.pgnode.host.TestingBackendPlugin.start;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgnode.host.RawHttps;
import io.pgnode.host.TestingBackendPlugin;
import io.pgnode.host.TestingNode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A URL the node cannot read is a JSON 400 like every other error, never Undertow's bare one. */
class MalformedUrlTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path temp;

    private static TestingNode node;

    @BeforeAll
    static void startNode() {
        node = TestingNode.builder().pluginsDir(TestingBackendPlugin.pluginsDir(temp)).start();
        node.rest().start(start(""));
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    @Test
    void aBrokenEscapeInTheQueryIsAJson400() throws Exception {
        JsonNode error = badRequest("/stats/system?x=%%%");

        assertThat(error.path("code").asText()).isEqualTo("INVALID_URL");
        assertThat(error.path("error").asText()).isEqualTo("The request URL is malformed: its query string 'x=%%%' "
                + "has a % that does not start an escape like %20 (send a % itself as %25).");
    }

    @Test
    void aBrokenEscapeOrAStrayCharacterInThePathIsAJson400() throws Exception {
        assertThat(badRequest("/stats/sys%zztem").path("code").asText()).isEqualTo("INVALID_URL");
        assertThat(badRequest("/info?x={}").path("error").asText()).contains("the unescaped character '{'");
    }

    @Test
    void wellFormedEscapesAndQueriesAreServedAsBefore() {
        try (RawHttps connection = RawHttps.connect(node, node.restPort())) {
            RawHttps.Response answer = connection.write(RawHttps.head(node, "GET", "/stats/system?x=%25&y=a+b"))
                    .readResponse();
            assertThat(answer.status()).isEqualTo(200);
            RawHttps.Response escaped = connection.write(RawHttps.head(node, "GET", "/%69nfo")).readResponse();
            assertThat(escaped.status()).isEqualTo(404); // the node does not decode paths: no route has escapes
            assertThat(escaped.headers()).containsEntry("content-type", "application/json");
        }
    }

    private static JsonNode badRequest(String target) throws Exception {
        try (RawHttps connection = RawHttps.connect(node, node.restPort())) {
            RawHttps.Response answer = connection.write(RawHttps.head(node, "GET", target)).readResponse();
            assertThat(answer.status()).as(target).isEqualTo(400);
            assertThat(answer.headers()).containsEntry("content-type", "application/json");
            return JSON.readTree(answer.body());
        }
    }
}
