package io.pgnode.host.service;

/** What the node does when a Start's keep_alive passes without a request (KEEP_ALIVE_ACTION). */
public enum KeepAliveAction {
    /** Stop the backend, as the upstream node does. */
    STOP,
    /** Log it and keep serving the last users the panel gave, until the panel is back. */
    KEEP
}
