package io.pgnode.plugin.xray.routing;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.pgnode.plugin.xray.api.AddRuleRequest;
import io.pgnode.plugin.xray.api.AddRuleResponse;
import io.pgnode.plugin.xray.api.GetBalancerInfoRequest;
import io.pgnode.plugin.xray.api.GetBalancerInfoResponse;
import io.pgnode.plugin.xray.api.OverrideBalancerTargetRequest;
import io.pgnode.plugin.xray.api.OverrideBalancerTargetResponse;
import io.pgnode.plugin.xray.api.RemoveRuleRequest;
import io.pgnode.plugin.xray.api.RemoveRuleResponse;
import io.pgnode.plugin.xray.api.RoutingContext;
import io.pgnode.plugin.xray.api.TestRouteRequest;
import io.pgnode.plugin.xray.api.TypedMessage;
import io.pgnode.spi.BackendException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Xray's RoutingService ({@code xray.app.router.command.RoutingService}; in {@code api.services} as RoutingService)
 * on the core's API channel. Each call has a deadline; a failure is a {@link BackendException}: UNSUPPORTED for a
 * method the release lacks (AddRule and RemoveRule came with 1.8.10, the others with 1.8.8), FAILURE with the core's
 * words otherwise.
 */
final class RoutingServiceClient {

    static final String SERVICE = "xray.app.router.command.RoutingService";
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private static final MethodDescriptor<AddRuleRequest, AddRuleResponse> ADD_RULE =
            method("AddRule", AddRuleRequest.getDefaultInstance(), AddRuleResponse.getDefaultInstance());
    private static final MethodDescriptor<RemoveRuleRequest, RemoveRuleResponse> REMOVE_RULE =
            method("RemoveRule", RemoveRuleRequest.getDefaultInstance(), RemoveRuleResponse.getDefaultInstance());
    private static final MethodDescriptor<TestRouteRequest, RoutingContext> TEST_ROUTE =
            method("TestRoute", TestRouteRequest.getDefaultInstance(), RoutingContext.getDefaultInstance());
    private static final MethodDescriptor<GetBalancerInfoRequest, GetBalancerInfoResponse> BALANCER_INFO =
            method("GetBalancerInfo", GetBalancerInfoRequest.getDefaultInstance(),
                    GetBalancerInfoResponse.getDefaultInstance());
    private static final MethodDescriptor<OverrideBalancerTargetRequest, OverrideBalancerTargetResponse> OVERRIDE =
            method("OverrideBalancerTarget", OverrideBalancerTargetRequest.getDefaultInstance(),
                    OverrideBalancerTargetResponse.getDefaultInstance());

    private final Channel channel;

    RoutingServiceClient(Channel channel) {
        this.channel = requireNonNull(channel, "channel is null");
    }

    /** AddRule: the rules (and balancers) of {@code config} after the core's, or instead of all of them. */
    void addRule(TypedMessage config, boolean append) {
        call(ADD_RULE, AddRuleRequest.newBuilder().setConfig(config).setShouldAppend(append).build());
    }

    /** RemoveRule: every rule with this tag (none is no error). */
    void removeRule(String ruleTag) {
        call(REMOVE_RULE, RemoveRuleRequest.newBuilder().setRuleTag(ruleTag).build());
    }

    RoutingContext testRoute(TestRouteRequest request) {
        return call(TEST_ROUTE, request);
    }

    GetBalancerInfoResponse balancerInfo(String balancerTag) {
        return call(BALANCER_INFO, GetBalancerInfoRequest.newBuilder().setTag(balancerTag).build());
    }

    void overrideBalancerTarget(String balancerTag, String target) {
        call(OVERRIDE, OverrideBalancerTargetRequest.newBuilder().setBalancerTag(balancerTag).setTarget(target).build());
    }

    private <Q, R> R call(MethodDescriptor<Q, R> method, Q request) {
        try {
            return ClientCalls.blockingUnaryCall(channel, method,
                    CallOptions.DEFAULT.withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS), request);
        } catch (StatusRuntimeException e) {
            Status status = e.getStatus();
            String words = status.getDescription() == null ? "" : status.getDescription();
            if (status.getCode() == Status.Code.UNIMPLEMENTED) {
                throw new CoreRefusal(BackendException.Kind.UNSUPPORTED, "the running core has no "
                        + method.getBareMethodName() + " in its RoutingService", words, e);
            }
            throw new CoreRefusal(BackendException.Kind.FAILURE, "the core's RoutingService failed on "
                    + method.getBareMethodName() + ": " + status.getCode() + " " + words, words, e);
        }
    }

    /** A failed call, with the core's own words apart so that callers can tell a refused rule from a broken core. */
    static final class CoreRefusal extends BackendException {
        private static final long serialVersionUID = 1L;
        private final String coreWords;
        private final Status.Code code;

        CoreRefusal(Kind kind, String message, String coreWords, StatusRuntimeException cause) {
            super(kind, message, cause);
            this.coreWords = coreWords;
            this.code = cause.getStatus().getCode();
        }

        /** The core's description of the error (its Go error chain), possibly empty. */
        String coreWords() {
            return coreWords;
        }

        /** Whether the core answered and refused (as opposed to not answering at all). */
        boolean refusedByCore() {
            return code == Status.Code.UNKNOWN || code == Status.Code.INVALID_ARGUMENT || code == Status.Code.NOT_FOUND;
        }
    }

    private static <Q extends Message, R extends Message> MethodDescriptor<Q, R> method(String name, Q request,
            R response) {
        return MethodDescriptor.<Q, R>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
                .setRequestMarshaller(ProtoUtils.marshaller(request))
                .setResponseMarshaller(ProtoUtils.marshaller(response))
                .build();
    }
}
