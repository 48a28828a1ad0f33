package io.pgnode.host.service;

import static java.util.Objects.requireNonNull;

/**
 * What the node tells about itself (GetBaseInfo, and the answer to Start).
 *
 * @param started whether a backend runs and its core is up
 * @param coreVersion the running core's version; empty without a backend
 * @param nodeVersion this node's version, e.g. {@code 1.0.0}
 * @param coreType the running backend's name (e.g. {@code xray}), or null without a backend
 */
public record NodeInfo(boolean started, String coreVersion, String nodeVersion, String coreType) {

    public NodeInfo {
        requireNonNull(coreVersion, "coreVersion is null");
        requireNonNull(nodeVersion, "nodeVersion is null");
    }
}
