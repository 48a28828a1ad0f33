package io.pgnode.plugin.xray;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.pgnode.plugin.xray.api.AddUserOperation;
import io.pgnode.plugin.xray.api.AlterInboundRequest;
import io.pgnode.plugin.xray.api.AlterInboundResponse;
import io.pgnode.plugin.xray.api.CoreStat;
import io.pgnode.plugin.xray.api.CoreUser;
import io.pgnode.plugin.xray.api.GetStatsOnlineIpListResponse;
import io.pgnode.plugin.xray.api.GetStatsRequest;
import io.pgnode.plugin.xray.api.GetStatsResponse;
import io.pgnode.plugin.xray.api.QueryStatsRequest;
import io.pgnode.plugin.xray.api.QueryStatsResponse;
import io.pgnode.plugin.xray.api.RemoveUserOperation;
import io.pgnode.plugin.xray.api.SysStatsRequest;
import io.pgnode.plugin.xray.api.SysStatsResponse;
import io.pgnode.plugin.xray.api.TypedMessage;
import io.pgnode.plugin.xray.api.VlessAccount;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process fake of Xray's gRPC API, under Xray's own service names ({@code xray.app.*}), behaving as
 * XRAY-API.md describes: AlterInbound checks the operation and account type strings, refuses duplicate
 * emails and unknown removals with Xray's words; QueryStats is a substring match with reset; GetStats reads one
 * counter by its exact name (NOT_FOUND {@code <name> not found.} for a missing one, as Xray since v25.7.23);
 * online stats answer NOT_FOUND for users without an online record. Every AlterInbound is recorded; the
 * service can be made to hang, as a stopped core does.
 */
final class TestingXrayApi implements AutoCloseable {

    static final String HANDLER = "xray.app.proxyman.command.HandlerService";
    static final String STATS = "xray.app.stats.command.StatsService";
    static final Set<String> ACCOUNT_TYPES = Set.of("xray.proxy.vmess.Account", "xray.proxy.vless.Account",
            "xray.proxy.trojan.Account", "xray.proxy.shadowsocks.Account", "xray.proxy.shadowsocks_2022.Account",
            "xray.proxy.hysteria.account.Account");

    /**
     * One AlterInbound the fake accepted or refused.
     *
     * @param tag the inbound
     * @param operation the operation's type string
     * @param email the user
     * @param account the added user's account (null for removals)
     */
    record Alter(String tag, String operation, String email, TypedMessage account) {
        boolean isAdd() {
            return operation.endsWith("AddUserOperation");
        }
    }

    private final String name = "xray-api-" + UUID.randomUUID();
    private final Server server;
    private final List<Alter> alters = new ArrayList<>();
    private final Map<String, Set<String>> inboundUsers = new HashMap<>();
    private final Map<String, Long> counters = new HashMap<>();
    private final Map<String, Map<String, Long>> online = new HashMap<>();
    private final Set<String> refused = new HashSet<>();
    private final AtomicInteger probes = new AtomicInteger();
    private final TestingXrayRouter router = new TestingXrayRouter();
    private volatile int uptime = 1;
    private volatile int failingProbes;
    private volatile boolean hung;
    private final AtomicBoolean corruptNext = new AtomicBoolean();

    /** @param onlineStats whether to serve GetStatsOnline/GetStatsOnlineIpList (Xray since v24.11.5) */
    TestingXrayApi(boolean onlineStats) throws IOException {
        this(onlineStats, true, null);
    }

    /**
     * @param routing whether to serve RoutingService and ObservatoryService ({@link #router()}); without, the fake is
     *     a release before 1.8.8, whose routing calls are UNIMPLEMENTED
     */
    TestingXrayApi(boolean onlineStats, boolean routing) throws IOException {
        this(onlineStats, routing, null);
    }

    /**
     * The same fake on a loopback TCP port, as a core serves its API: for a fake core process that the
     * plugin starts and reaches like a real one (the benchmarks' fake core).
     */
    static TestingXrayApi onLoopbackPort(int port, boolean onlineStats) throws IOException {
        return new TestingXrayApi(onlineStats, true,
                NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
    }

    private TestingXrayApi(boolean onlineStats, boolean routing, ServerBuilder<?> tcp) throws IOException {
        ServerServiceDefinition.Builder stats = ServerServiceDefinition.builder(STATS)
                .addMethod(queryStatsMethod(), ServerCalls.asyncUnaryCall(this::queryStats))
                .addMethod(method(STATS, "GetStats", GetStatsRequest.getDefaultInstance(),
                        GetStatsResponse.getDefaultInstance()), ServerCalls.asyncUnaryCall(this::getStats))
                .addMethod(method(STATS, "GetSysStats", SysStatsRequest.getDefaultInstance(),
                        SysStatsResponse.getDefaultInstance()), ServerCalls.asyncUnaryCall(this::sysStats));
        if (onlineStats) {
            stats.addMethod(method(STATS, "GetStatsOnline", GetStatsRequest.getDefaultInstance(),
                    GetStatsResponse.getDefaultInstance()), ServerCalls.asyncUnaryCall(this::statsOnline))
                    .addMethod(method(STATS, "GetStatsOnlineIpList", GetStatsRequest.getDefaultInstance(),
                            GetStatsOnlineIpListResponse.getDefaultInstance()), ServerCalls.asyncUnaryCall(this::onlineIps));
        }
        ServerServiceDefinition handler = ServerServiceDefinition.builder(HANDLER)
                .addMethod(method(HANDLER, "AlterInbound", AlterInboundRequest.getDefaultInstance(),
                        AlterInboundResponse.getDefaultInstance()), ServerCalls.asyncUnaryCall(this::alterInbound))
                .build();
        ServerBuilder<?> builder = tcp != null ? tcp : InProcessServerBuilder.forName(name);
        builder.addService(stats.build()).addService(handler);
        router.services(routing).forEach(builder::addService);
        server = builder.build().start();
    }

    private static <Q extends Message, R extends Message> MethodDescriptor<Q, R> method(String service, String method,
            Q request, R response) {
        return MethodDescriptor.<Q, R>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(service + "/" + method)
                .setRequestMarshaller(ProtoUtils.marshaller(request))
                .setResponseMarshaller(ProtoUtils.marshaller(response))
                .build();
    }

    /**
     * QueryStats, whose answer can be sent with one byte changed into an invalid wire type
     * ({@link #corruptNextQueryStats}), as answers of the v2fly core sometimes arrive under load.
     */
    private MethodDescriptor<QueryStatsRequest, QueryStatsResponse> queryStatsMethod() {
        MethodDescriptor.Marshaller<QueryStatsResponse> proto = ProtoUtils.marshaller(QueryStatsResponse.getDefaultInstance());
        MethodDescriptor.Marshaller<QueryStatsResponse> corrupting = new MethodDescriptor.Marshaller<>() {
            @Override
            public InputStream stream(QueryStatsResponse value) {
                byte[] bytes = value.toByteArray();
                if (corruptNext.getAndSet(false) && bytes.length > 0) {
                    bytes[0] = 0x0f; // field 1, wire type 7: no such wire type
                }
                return new ByteArrayInputStream(bytes);
            }

            @Override
            public QueryStatsResponse parse(InputStream stream) {
                return proto.parse(stream);
            }
        };
        return method(STATS, "QueryStats", QueryStatsRequest.getDefaultInstance(),
                QueryStatsResponse.getDefaultInstance()).toBuilder().setResponseMarshaller(corrupting).build();
    }

    /** The next QueryStats answer (after the reset it asks for, if any) arrives unreadable. */
    void corruptNextQueryStats() {
        corruptNext.set(true);
    }

    /** Connects the backend to this fake whatever port it picked. */
    CoreApiConnector connector() {
        return port -> InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    // ---- the test's controls

    /** The fake RoutingService and ObservatoryService. */
    TestingXrayRouter router() {
        return router;
    }

    /** Takes the users of the config the core was started with, as the real core would. */
    synchronized void loadUsers(JsonNode config) {
        inboundUsers.clear();
        for (JsonNode inbound : config.path("inbounds")) {
            Set<String> users = inboundUsers.computeIfAbsent(inbound.path("tag").asText(), t -> new HashSet<>());
            inbound.path("settings").path("clients").forEach(c -> users.add(c.path("email").asText().toLowerCase(Locale.ROOT)));
        }
    }

    synchronized List<Alter> alters() {
        return List.copyOf(alters);
    }

    synchronized void clearAlters() {
        alters.clear();
    }

    synchronized Set<String> usersIn(String tag) {
        return Set.copyOf(inboundUsers.getOrDefault(tag, Set.of()));
    }

    synchronized void setCounter(String name, long value) {
        counters.put(name, value);
    }

    synchronized long counter(String name) {
        return counters.getOrDefault(name, 0L);
    }

    synchronized void setOnline(String email, Map<String, Long> ips) {
        online.put(email, Map.copyOf(ips));
    }

    /** VLESS adds of this email fail as Xray fails a user it cannot parse (quoting the id, as Xray does). */
    synchronized void refuse(String email) {
        refused.add(email);
    }

    void setUptime(int seconds) {
        uptime = seconds;
    }

    /** The next {@code count} GetSysStats calls fail with UNAVAILABLE. */
    void failNextProbes(int count) {
        failingProbes = count;
    }

    int probes() {
        return probes.get();
    }

    /** From now on no call is answered, as a stopped (SIGSTOP) core answers none: callers see their deadline. */
    void hang() {
        hung = true;
    }

    /** Calls are answered again. */
    void wakeUp() {
        hung = false;
    }

    // ---- the service

    private synchronized void alterInbound(AlterInboundRequest request, StreamObserver<AlterInboundResponse> out) {
        if (hung) {
            return; // never answered
        }
        TypedMessage operation = request.getOperation();
        Set<String> users = inboundUsers.computeIfAbsent(request.getTag(), t -> new HashSet<>());
        try {
            if (operation.getType().equals("xray.app.proxyman.command.AddUserOperation")) {
                CoreUser user = AddUserOperation.parseFrom(operation.getValue()).getUser();
                alters.add(new Alter(request.getTag(), operation.getType(), user.getEmail(), user.getAccount()));
                if (!ACCOUNT_TYPES.contains(user.getAccount().getType())) {
                    fail(out, "app/proxyman/command: failed to parse user > proto: not found");
                } else if (refused.contains(user.getEmail())) {
                    String id = VlessAccount.parseFrom(user.getAccount().getValue()).getId();
                    fail(out, "app/proxyman/command: failed to parse user > proxy/vless: failed to parse ID > invalid UUID: "
                            + id);
                } else if (!users.add(user.getEmail().toLowerCase(Locale.ROOT))) {
                    fail(out, "proxy/vless: User " + user.getEmail() + " already exists.");
                } else {
                    ok(out);
                }
            } else if (operation.getType().equals("xray.app.proxyman.command.RemoveUserOperation")) {
                String email = RemoveUserOperation.parseFrom(operation.getValue()).getEmail();
                alters.add(new Alter(request.getTag(), operation.getType(), email, null));
                if (users.remove(email.toLowerCase(Locale.ROOT))) {
                    ok(out);
                } else {
                    fail(out, "proxy/vless: User " + email + " not found.");
                }
            } else {
                alters.add(new Alter(request.getTag(), operation.getType(), "", null));
                fail(out, "app/proxyman/command: unknown operation > proto: not found");
            }
        } catch (InvalidProtocolBufferException e) {
            fail(out, "proto: cannot parse invalid wire-format data");
        }
    }

    private static void ok(StreamObserver<AlterInboundResponse> out) {
        out.onNext(AlterInboundResponse.getDefaultInstance());
        out.onCompleted();
    }

    private static void fail(StreamObserver<?> out, String message) {
        out.onError(Status.UNKNOWN.withDescription(message).asRuntimeException());
    }

    private synchronized void getStats(GetStatsRequest request, StreamObserver<GetStatsResponse> out) {
        if (hung) {
            return; // never answered
        }
        Long value = counters.get(request.getName());
        if (value == null) {
            out.onError(Status.NOT_FOUND.withDescription(request.getName() + " not found.").asRuntimeException());
            return;
        }
        if (request.getReset()) {
            counters.put(request.getName(), 0L);
        }
        out.onNext(GetStatsResponse.newBuilder()
                .setStat(CoreStat.newBuilder().setName(request.getName()).setValue(value)).build());
        out.onCompleted();
    }

    private synchronized void queryStats(QueryStatsRequest request, StreamObserver<QueryStatsResponse> out) {
        if (hung) {
            return; // never answered
        }
        QueryStatsResponse.Builder response = QueryStatsResponse.newBuilder();
        counters.forEach((name, value) -> {
            if (name.contains(request.getPattern())) {
                response.addStat(CoreStat.newBuilder().setName(name).setValue(value));
            }
        });
        if (request.getReset()) {
            counters.replaceAll((name, value) -> name.contains(request.getPattern()) ? 0L : value);
        }
        out.onNext(response.build());
        out.onCompleted();
    }

    private void sysStats(SysStatsRequest request, StreamObserver<SysStatsResponse> out) {
        probes.incrementAndGet();
        if (hung) {
            return; // never answered
        }
        synchronized (this) {
            if (failingProbes > 0) {
                failingProbes--;
                out.onError(Status.UNAVAILABLE.withDescription("fake outage").asRuntimeException());
                return;
            }
        }
        out.onNext(SysStatsResponse.newBuilder().setUptime(uptime).setNumGoroutine(42).setAlloc(1 << 20).build());
        out.onCompleted();
    }

    private synchronized Map<String, Long> onlineRecord(GetStatsRequest request, StreamObserver<?> out) {
        String name = request.getName();
        if (name.startsWith("user>>>") && name.endsWith(">>>online")) {
            Map<String, Long> ips = online.get(name.substring(7, name.length() - 9));
            if (ips != null) {
                return ips;
            }
        }
        out.onError(Status.NOT_FOUND.withDescription(name + " not found.").asRuntimeException());
        return null;
    }

    private void statsOnline(GetStatsRequest request, StreamObserver<GetStatsResponse> out) {
        if (hung) {
            return; // never answered
        }
        Map<String, Long> ips = onlineRecord(request, out);
        if (ips != null) {
            out.onNext(GetStatsResponse.newBuilder()
                    .setStat(CoreStat.newBuilder().setName(request.getName()).setValue(ips.size())).build());
            out.onCompleted();
        }
    }

    private void onlineIps(GetStatsRequest request, StreamObserver<GetStatsOnlineIpListResponse> out) {
        if (hung) {
            return; // never answered
        }
        Map<String, Long> ips = onlineRecord(request, out);
        if (ips != null) {
            out.onNext(GetStatsOnlineIpListResponse.newBuilder().setName(request.getName()).putAllIps(ips).build());
            out.onCompleted();
        }
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }
}
