package io.pgnode.host.service;

import static java.util.Objects.requireNonNull;

import io.pgnode.spi.User;
import java.util.List;
import java.util.Set;

/**
 * What the panel asks a Start for.
 *
 * @param backendType the panel's backend type number (0 Xray, 1 WireGuard, 100 and up third parties)
 * @param config the backend's config as the panel sent it
 * @param users the initial users; may be a view the backend reads once (see {@code WireMapping.users})
 * @param keepAliveSeconds stop the backend after this long without a request; 0 = never
 * @param excludedInbounds inbound tags the backend must leave alone
 */
public record StartRequest(int backendType, String config, List<User> users, long keepAliveSeconds,
        Set<String> excludedInbounds) {

    public StartRequest {
        requireNonNull(config, "config is null");
        requireNonNull(users, "users is null");
        excludedInbounds = Set.copyOf(excludedInbounds);
    }
}
