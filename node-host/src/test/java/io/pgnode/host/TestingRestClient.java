package io.pgnode.host;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.pgnode.proto.AddRoutingRuleRequest;
import io.pgnode.proto.Backend;
import io.pgnode.proto.BackendStatsResponse;
import io.pgnode.proto.BalancerInfoRequest;
import io.pgnode.proto.BalancerInfoResponse;
import io.pgnode.proto.BaseInfoResponse;
import io.pgnode.proto.Empty;
import io.pgnode.proto.LatencyRequest;
import io.pgnode.proto.LatencyResponse;
import io.pgnode.proto.OnlineStatResponse;
import io.pgnode.proto.OverrideBalancerTargetRequest;
import io.pgnode.proto.RemoveRoutingRuleRequest;
import io.pgnode.proto.RouteResult;
import io.pgnode.proto.RoutingRulesResponse;
import io.pgnode.proto.StatRequest;
import io.pgnode.proto.StatResponse;
import io.pgnode.proto.StatsOnlineIpListResponse;
import io.pgnode.proto.SystemStatsResponse;
import io.pgnode.proto.TestRouteRequest;
import io.pgnode.proto.User;
import io.pgnode.proto.Users;
import io.pgnode.proto.UsersChunk;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A REST client of the node as the panel is one: HTTP/1.1 over TLS with the node's certificate as the only
 * trust anchor and host name checking on, protobuf bodies (GETs too), the API key in {@code x-api-key}.
 *
 * <p>The route helpers ({@link #info()}, {@link #start(Backend)} ...) expect 200 and return the decoded
 * answer, or throw {@link Failure} with the status and the node's JSON error. {@link #call} returns any
 * answer as is, for tests about errors. {@link #withHeaders(Map)} gives a client with other auth headers.
 */
public final class TestingRestClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * How long an answer may take: a deadline for a node that hangs, never a verdict on a slow one (a Start on a
     * starved CI machine took over 30 s once, and the test failed although the node was right).
     */
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private final HttpClient http;
    private final URI base;
    private final Map<String, String> headers;

    TestingRestClient(HttpClient http, URI base, Map<String, String> headers) {
        this.http = requireNonNull(http, "http is null");
        this.base = requireNonNull(base, "base is null");
        this.headers = Map.copyOf(headers);
    }

    /**
     * A client of a node running elsewhere (e.g. the packaged {@code pg-node} in a process of its own), as a
     * panel is one: it trusts only the node's certificate, checks the host name of {@code base} against it and
     * sends the API key in {@code x-api-key}.
     */
    public static TestingRestClient connect(URI base, X509Certificate certificate, String apiKey) {
        return new TestingRestClient(httpClientTrusting(certificate), base, Map.of("x-api-key", apiKey));
    }

    /** An HTTP/1.1 client whose only trust anchor is the certificate; host names are checked. */
    static HttpClient httpClientTrusting(X509Certificate certificate) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(TestingNode.trusting(certificate))
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** The same client sending exactly these headers instead of the API key (empty map: no auth at all). */
    public TestingRestClient withHeaders(Map<String, String> replacement) {
        return new TestingRestClient(http, base, replacement);
    }

    /** The node's base URI, e.g. {@code https://127.0.0.1:41234}. */
    public URI baseUri() {
        return base;
    }

    /** The underlying client, for requests the helpers do not cover. */
    public HttpClient httpClient() {
        return http;
    }

    /** Sends a request with a protobuf body (null: empty body) and returns whatever came back. */
    public Response call(String method, String path, Message body) {
        return call(method, path, body == null ? new byte[0] : body.toByteArray());
    }

    /** Sends a request with raw body bytes and returns whatever came back. */
    public Response call(String method, String path, byte[] body) {
        return send(request(path).method(method, HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    public BaseInfoResponse start(Backend backend) {
        return expect(call("POST", "/start", backend), BaseInfoResponse.parser());
    }

    public Empty stop() {
        return expect(call("PUT", "/stop", (Message) null), Empty.parser());
    }

    public BaseInfoResponse info() {
        return expect(call("GET", "/info", (Message) null), BaseInfoResponse.parser());
    }

    public StatResponse stats(StatRequest request) {
        return expect(call("GET", "/stats", request), StatResponse.parser());
    }

    public LatencyResponse outboundsLatency(LatencyRequest request) {
        return expect(call("GET", "/stats/latency", request), LatencyResponse.parser());
    }

    public OnlineStatResponse userOnlineStats(StatRequest request) {
        return expect(call("GET", "/stats/user/online", request), OnlineStatResponse.parser());
    }

    public StatsOnlineIpListResponse userOnlineIps(StatRequest request) {
        return expect(call("GET", "/stats/user/online_ip", request), StatsOnlineIpListResponse.parser());
    }

    public BackendStatsResponse backendStats() {
        return expect(call("GET", "/stats/backend", (Message) null), BackendStatsResponse.parser());
    }

    public SystemStatsResponse systemStats() {
        return expect(call("GET", "/stats/system", (Message) null), SystemStatsResponse.parser());
    }

    public Empty syncUser(User user) {
        return expect(call("PUT", "/user/sync", user), Empty.parser());
    }

    public Empty syncUsers(Users users) {
        return expect(call("PUT", "/users/sync", users), Empty.parser());
    }

    public RoutingRulesResponse routingRules() {
        return expect(call("GET", "/routing/rules", (Message) null), RoutingRulesResponse.parser());
    }

    public Empty addRoutingRule(AddRoutingRuleRequest request) {
        return expect(call("PUT", "/routing/rules", request), Empty.parser());
    }

    /** {@code DELETE /routing/rules} with the request as its protobuf body, as the panel sends it. */
    public Empty removeRoutingRule(RemoveRoutingRuleRequest request) {
        return expect(call("DELETE", "/routing/rules", request), Empty.parser());
    }

    public BalancerInfoResponse balancerInfo(BalancerInfoRequest request) {
        return expect(call("POST", "/routing/balancer", request), BalancerInfoResponse.parser());
    }

    public RouteResult testRoute(TestRouteRequest request) {
        return expect(call("POST", "/routing/test", request), RouteResult.parser());
    }

    public Empty overrideBalancerTarget(OverrideBalancerTargetRequest request) {
        return expect(call("PUT", "/routing/balancer/override", request), Empty.parser());
    }

    /** Uploads the chunks as the panel does: length-delimited frames, sent with chunked transfer encoding. */
    public Empty syncUsersChunked(List<UsersChunk> chunks) {
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        try {
            for (UsersChunk chunk : chunks) {
                chunk.writeDelimitedTo(frames);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return expect(callChunked("/users/sync/chunked", frames.toByteArray()), Empty.parser());
    }

    /** PUTs raw bytes with {@code Transfer-Encoding: chunked} (the length is not announced). */
    public Response callChunked(String path, byte[] body) {
        HttpRequest.BodyPublisher unknownLength =
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body));
        return send(request(path).PUT(unknownLength).build());
    }

    /** Opens {@code GET /logs}; with {@code serverSentEvents} it asks for {@code text/event-stream}. */
    public TestingLogStream logs(boolean serverSentEvents) {
        HttpRequest.Builder request = request("/logs").GET().timeout(Duration.ofMinutes(5));
        if (serverSentEvents) {
            request.header("Accept", "text/event-stream");
        }
        return TestingLogStream.open(http, request.build());
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(TIMEOUT)
                .header("Content-Type", "application/x-protobuf");
        headers.forEach(request::header);
        return request;
    }

    private Response send(HttpRequest request) {
        try {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            Map<String, String> responseHeaders = new LinkedHashMap<>();
            response.headers().map().forEach((name, values) -> responseHeaders.put(name.toLowerCase(), values.get(0)));
            return new Response(response.statusCode(), responseHeaders, response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static <T extends Message> T expect(Response response, Parser<T> parser) {
        if (response.status() != 200) {
            throw new Failure(response);
        }
        return response.as(parser);
    }

    /**
     * One answer of the node.
     *
     * @param headers the first value of each header, by lower-case name
     */
    public record Response(int status, Map<String, String> headers, byte[] body) {

        public String contentType() {
            return headers.getOrDefault("content-type", "");
        }

        /** The body as a protobuf message. */
        public <T extends Message> T as(Parser<T> parser) {
            try {
                return parser.parseFrom(body);
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("status " + status + ": body is not protobuf", e);
            }
        }

        /** The {@code code} of the node's JSON error body. */
        public String errorCode() {
            return json().path("code").asText();
        }

        /** The {@code error} sentence of the node's JSON error body. */
        public String errorMessage() {
            return json().path("error").asText();
        }

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("status " + status + ": body is not JSON: " + new String(body), e);
            }
        }
    }

    /** A route helper got something other than 200. */
    public static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Response response;

        Failure(Response response) {
            super("HTTP " + response.status() + ": " + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
            this.response = response;
        }

        public Response response() {
            return response;
        }
    }
}
