package io.pgnode.plugin.xray.latency;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.pgnode.plugin.xray.api.GetOutboundStatusRequest;
import io.pgnode.plugin.xray.api.GetOutboundStatusResponse;
import io.pgnode.plugin.xray.api.OutboundStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Reads the results of the observatory (or burst observatory) of the panel's config through Xray's
 * ObservatoryService ({@code xray.core.app.observatory.command.ObservatoryService}, "ObservatoryService" in
 * {@code api.services}; note the {@code core} in its package), on the core's loopback API port.
 */
final class ObservatoryClient {

    static final String SERVICE = "xray.core.app.observatory.command.ObservatoryService";
    /** Xray's observatory asks for this when the config names no probeURL. */
    static final String XRAY_DEFAULT_PROBE_URL = "https://www.google.com/generate_204";
    /** Xray's burst observatory asks for this when its pingConfig names no destination. */
    static final String XRAY_DEFAULT_BURST_DESTINATION = "https://connectivitycheck.gstatic.com/generate_204";

    private static final long DEADLINE_MILLIS = 5_000;
    private static final MethodDescriptor<GetOutboundStatusRequest, GetOutboundStatusResponse> GET_OUTBOUND_STATUS =
            MethodDescriptor.<GetOutboundStatusRequest, GetOutboundStatusResponse>newBuilder()
                    .setType(MethodDescriptor.MethodType.UNARY)
                    .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "GetOutboundStatus"))
                    .setRequestMarshaller(ProtoUtils.marshaller(GetOutboundStatusRequest.getDefaultInstance()))
                    .setResponseMarshaller(ProtoUtils.marshaller(GetOutboundStatusResponse.getDefaultInstance()))
                    .build();

    private ObservatoryClient() {}

    /** Whether the panel's config runs an observatory, whose results the node then reads instead of probing. */
    static boolean configured(JsonNode root) {
        return root.path("observatory").isObject() || root.path("burstObservatory").isObject();
    }

    /** What the observatory probes (its probe URL, as a latency's link), or "" without one. */
    static String probeUrl(JsonNode root) {
        if (root.path("observatory").isObject()) {
            return field(root.path("observatory"), "probeURL").orElse(XRAY_DEFAULT_PROBE_URL);
        }
        if (root.path("burstObservatory").isObject()) {
            return field(root.path("burstObservatory").path("pingConfig"), "destination")
                    .orElse(XRAY_DEFAULT_BURST_DESTINATION);
        }
        return "";
    }

    /** Xray's loader matches JSON keys case-insensitively (Go's encoding/json). */
    private static Optional<String> field(JsonNode object, String name) {
        for (Map.Entry<String, JsonNode> field : (Iterable<Map.Entry<String, JsonNode>>) object::fields) {
            if (field.getKey().equalsIgnoreCase(name) && !field.getValue().asText("").isBlank()) {
                return Optional.of(field.getValue().asText().strip());
            }
        }
        return Optional.empty();
    }

    /**
     * The observatory's latest result per outbound tag.
     *
     * @throws StatusRuntimeException when the core does not answer (UNIMPLEMENTED: it serves no ObservatoryService)
     */
    static Map<String, OutboundStatus> statuses(Channel api) {
        GetOutboundStatusResponse answer = ClientCalls.blockingUnaryCall(api, GET_OUTBOUND_STATUS,
                CallOptions.DEFAULT.withDeadlineAfter(DEADLINE_MILLIS, TimeUnit.MILLISECONDS),
                GetOutboundStatusRequest.getDefaultInstance());
        Map<String, OutboundStatus> statuses = new LinkedHashMap<>();
        answer.getStatus().getStatusList().forEach(status -> statuses.put(status.getOutboundTag(), status));
        return statuses;
    }
}
