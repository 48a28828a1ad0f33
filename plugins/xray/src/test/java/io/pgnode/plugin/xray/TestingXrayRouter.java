package io.pgnode.plugin.xray;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.pgnode.plugin.xray.api.AddRuleRequest;
import io.pgnode.plugin.xray.api.AddRuleResponse;
import io.pgnode.plugin.xray.api.BalancerMsg;
import io.pgnode.plugin.xray.api.GetBalancerInfoRequest;
import io.pgnode.plugin.xray.api.GetBalancerInfoResponse;
import io.pgnode.plugin.xray.api.GetOutboundStatusRequest;
import io.pgnode.plugin.xray.api.GetOutboundStatusResponse;
import io.pgnode.plugin.xray.api.ObservationResult;
import io.pgnode.plugin.xray.api.OutboundStatus;
import io.pgnode.plugin.xray.api.OverrideBalancerTargetRequest;
import io.pgnode.plugin.xray.api.OverrideBalancerTargetResponse;
import io.pgnode.plugin.xray.api.OverrideInfo;
import io.pgnode.plugin.xray.api.PrincipleTargetInfo;
import io.pgnode.plugin.xray.api.RemoveRuleRequest;
import io.pgnode.plugin.xray.api.RemoveRuleResponse;
import io.pgnode.plugin.xray.api.RoutingContext;
import io.pgnode.plugin.xray.api.TestRouteRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The fake of Xray's RoutingService ({@code xray.app.router.command.RoutingService}) and ObservatoryService
 * ({@code xray.core.app.observatory.command.ObservatoryService}) that {@link TestingXrayApi} serves. It keeps the
 * router's rules as Xray does (AddRule appends, or first clears rules and balancers; a taken rule tag is refused;
 * RemoveRule of an unknown tag succeeds, of an empty one fails) and records every call with its request. It reads
 * an AddRule's router config by field number only ({@link #rulesOf}), so a test can check the numbers the node
 * sends against Xray's, not against the node's own message classes.
 */
final class TestingXrayRouter {

    static final String ROUTING = "xray.app.router.command.RoutingService";
    static final String OBSERVATORY = "xray.core.app.observatory.command.ObservatoryService";
    static final String CONFIG_TYPE = "xray.app.router.Config";

    /** One call the fake received: the method's name and its request. */
    record Call(String method, Message request) {}

    /** A rule the fake router holds: its outbound or balancer, and its tag. */
    record HeldRule(String target, String ruleTag) {}

    private final List<Call> calls = new ArrayList<>();
    private final List<HeldRule> rules = new ArrayList<>();
    private final Map<String, String> overrides = new HashMap<>();
    private final Map<String, List<String>> principleTargets = new HashMap<>();
    private final List<OutboundStatus> observed = new ArrayList<>();
    private int ruleTagField = 19;
    private String refuseNextAddRule;
    private RoutingContext routed;

    /** The services, for the fake's server. */
    List<ServerServiceDefinition> services(boolean routing) {
        List<ServerServiceDefinition> services = new ArrayList<>();
        if (routing) {
            services.add(ServerServiceDefinition.builder(ROUTING)
                    .addMethod(method(ROUTING, "AddRule", AddRuleRequest.getDefaultInstance(),
                            AddRuleResponse.getDefaultInstance()), ServerCalls.asyncUnaryCall(this::addRule))
                    .addMethod(method(ROUTING, "RemoveRule", RemoveRuleRequest.getDefaultInstance(),
                            RemoveRuleResponse.getDefaultInstance()), ServerCalls.asyncUnaryCall(this::removeRule))
                    .addMethod(method(ROUTING, "TestRoute", TestRouteRequest.getDefaultInstance(),
                            RoutingContext.getDefaultInstance()), ServerCalls.asyncUnaryCall(this::testRoute))
                    .addMethod(method(ROUTING, "GetBalancerInfo", GetBalancerInfoRequest.getDefaultInstance(),
                            GetBalancerInfoResponse.getDefaultInstance()), ServerCalls.asyncUnaryCall(this::balancerInfo))
                    .addMethod(method(ROUTING, "OverrideBalancerTarget",
                            OverrideBalancerTargetRequest.getDefaultInstance(),
                            OverrideBalancerTargetResponse.getDefaultInstance()), ServerCalls.asyncUnaryCall(this::override))
                    .build());
            services.add(ServerServiceDefinition.builder(OBSERVATORY)
                    .addMethod(method(OBSERVATORY, "GetOutboundStatus", GetOutboundStatusRequest.getDefaultInstance(),
                            GetOutboundStatusResponse.getDefaultInstance()), ServerCalls.asyncUnaryCall(this::status))
                    .build());
        }
        return services;
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

    // ---- the test's controls

    /** Takes the rules of the config the core was started with, as Xray's router would. */
    synchronized void loadRules(JsonNode config) {
        rules.clear();
        for (JsonNode rule : config.path("routing").path("rules")) {
            String target = rule.path("outboundTag").asText(rule.path("balancerTag").asText(""));
            rules.add(new HeldRule(target, rule.path("ruleTag").asText("")));
        }
    }

    /** Reads rule tags at this field number (18 before Xray 25.8.29). */
    synchronized void ruleTagField(int field) {
        ruleTagField = field;
    }

    synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    synchronized List<Call> calls(String method) {
        return calls.stream().filter(call -> call.method().equals(method)).toList();
    }

    synchronized void clearCalls() {
        calls.clear();
    }

    synchronized List<HeldRule> rules() {
        return List.copyOf(rules);
    }

    synchronized Map<String, String> overrides() {
        return Map.copyOf(overrides);
    }

    /** The next AddRule fails with these words, as Xray fails a rule it cannot build. */
    synchronized void refuseNextAddRule(String words) {
        refuseNextAddRule = words;
    }

    /** TestRoute answers this; null: "no clue", as Xray's router when no rule matches. */
    synchronized void routeTo(RoutingContext answer) {
        routed = answer;
    }

    synchronized void principleTargets(String balancer, List<String> targets) {
        principleTargets.put(balancer, List.copyOf(targets));
    }

    synchronized void observe(List<OutboundStatus> statuses) {
        observed.clear();
        observed.addAll(statuses);
    }

    /** The rules of an AddRule's router config (field 2 of xray.app.router.Config), read by field number. */
    static List<UnknownFieldSet> rulesOf(AddRuleRequest request) {
        return field(request.getConfig().getValue(), 2);
    }

    /** The balancers of an AddRule's router config (field 3). */
    static List<UnknownFieldSet> balancersOf(AddRuleRequest request) {
        return field(request.getConfig().getValue(), 3);
    }

    /** The messages at a field of an encoded message. */
    static List<UnknownFieldSet> field(ByteString message, int number) {
        List<UnknownFieldSet> values = new ArrayList<>();
        try {
            UnknownFieldSet fields = UnknownFieldSet.parseFrom(message);
            if (fields.hasField(number)) {
                for (ByteString value : fields.getField(number).getLengthDelimitedList()) {
                    values.add(UnknownFieldSet.parseFrom(value));
                }
            }
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("not a message: " + e.getMessage(), e);
        }
        return values;
    }

    /** The strings at a field. */
    static List<String> strings(UnknownFieldSet message, int number) {
        return message.hasField(number) ? message.getField(number).getLengthDelimitedList().stream()
                .map(ByteString::toStringUtf8).toList() : List.of();
    }

    /** The one string at a field, or "" when absent. */
    static String string(UnknownFieldSet message, int number) {
        List<String> values = strings(message, number);
        return values.isEmpty() ? "" : values.get(0);
    }

    /** The submessages at a field. */
    static List<UnknownFieldSet> messages(UnknownFieldSet message, int number) {
        List<UnknownFieldSet> values = new ArrayList<>();
        if (message.hasField(number)) {
            for (ByteString value : message.getField(number).getLengthDelimitedList()) {
                try {
                    values.add(UnknownFieldSet.parseFrom(value));
                } catch (InvalidProtocolBufferException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return values;
    }

    /** The varints at a field, packed or not. */
    static List<Long> varints(UnknownFieldSet message, int number) {
        if (!message.hasField(number)) {
            return List.of();
        }
        List<Long> values = new ArrayList<>(message.getField(number).getVarintList());
        for (ByteString packed : message.getField(number).getLengthDelimitedList()) {
            com.google.protobuf.CodedInputStream in = packed.newCodedInput();
            try {
                while (!in.isAtEnd()) {
                    values.add(in.readRawVarint64());
                }
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }
        return values;
    }

    // ---- the services

    private synchronized void addRule(AddRuleRequest request, StreamObserver<AddRuleResponse> out) {
        calls.add(new Call("AddRule", request));
        if (refuseNextAddRule != null) {
            String words = refuseNextAddRule;
            refuseNextAddRule = null;
            fail(out, words);
            return;
        }
        if (!request.getConfig().getType().equals(CONFIG_TYPE)) {
            fail(out, "AddRule: config type error");
            return;
        }
        List<HeldRule> next = new ArrayList<>(request.getShouldAppend() ? rules : List.of());
        for (UnknownFieldSet rule : rulesOf(request)) {
            String tag = string(rule, ruleTagField);
            if (!tag.isEmpty() && next.stream().anyMatch(held -> held.ruleTag().equals(tag))) {
                fail(out, "duplicate ruleTag " + tag);
                return;
            }
            String target = string(rule, 1);
            next.add(new HeldRule(target.isEmpty() ? string(rule, 12) : target, tag));
        }
        if (!request.getShouldAppend()) {
            overrides.clear(); // the balancers are built anew
        }
        rules.clear();
        rules.addAll(next);
        out.onNext(AddRuleResponse.getDefaultInstance());
        out.onCompleted();
    }

    private synchronized void removeRule(RemoveRuleRequest request, StreamObserver<RemoveRuleResponse> out) {
        calls.add(new Call("RemoveRule", request));
        if (request.getRuleTag().isEmpty()) {
            fail(out, "empty tag name!");
            return;
        }
        rules.removeIf(rule -> rule.ruleTag().equals(request.getRuleTag()));
        out.onNext(RemoveRuleResponse.getDefaultInstance());
        out.onCompleted();
    }

    private synchronized void testRoute(TestRouteRequest request, StreamObserver<RoutingContext> out) {
        calls.add(new Call("TestRoute", request));
        if (routed == null) {
            fail(out, "common: not enough information for making a decision");
            return;
        }
        out.onNext(routed);
        out.onCompleted();
    }

    private synchronized void balancerInfo(GetBalancerInfoRequest request, StreamObserver<GetBalancerInfoResponse> out) {
        calls.add(new Call("GetBalancerInfo", request));
        out.onNext(GetBalancerInfoResponse.newBuilder().setBalancer(BalancerMsg.newBuilder()
                .setOverride(OverrideInfo.newBuilder().setTarget(overrides.getOrDefault(request.getTag(), "")))
                .setPrincipleTarget(PrincipleTargetInfo.newBuilder()
                        .addAllTag(principleTargets.getOrDefault(request.getTag(), List.of()))))
                .build());
        out.onCompleted();
    }

    private synchronized void override(OverrideBalancerTargetRequest request,
            StreamObserver<OverrideBalancerTargetResponse> out) {
        calls.add(new Call("OverrideBalancerTarget", request));
        if (request.getTarget().isEmpty()) {
            overrides.remove(request.getBalancerTag());
        } else {
            overrides.put(request.getBalancerTag(), request.getTarget());
        }
        out.onNext(OverrideBalancerTargetResponse.getDefaultInstance());
        out.onCompleted();
    }

    private synchronized void status(GetOutboundStatusRequest request, StreamObserver<GetOutboundStatusResponse> out) {
        calls.add(new Call("GetOutboundStatus", request));
        out.onNext(GetOutboundStatusResponse.newBuilder()
                .setStatus(ObservationResult.newBuilder().addAllStatus(observed)).build());
        out.onCompleted();
    }

    private static void fail(StreamObserver<?> out, String words) {
        out.onError(Status.UNKNOWN.withDescription(words).asRuntimeException());
    }
}
