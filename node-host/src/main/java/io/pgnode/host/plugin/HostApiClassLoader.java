package io.pgnode.host.plugin;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The parent of every plugin's class loader: it shows a plugin the JDK and the packages the host shares on
 * purpose (the SPI, pf4j, slf4j) and nothing else of the host. A plugin therefore runs with the libraries it
 * bundles, whatever versions the host happens to use, and a plugin that forgot to bundle one fails at load
 * instead of working by accident.
 */
final class HostApiClassLoader extends ClassLoader {

    /** Packages plugins share with the host. A class from these must be the host's, or types won't match. */
    static final List<String> SHARED_PACKAGES = List.of("io.pgnode.spi.", "org.pf4j.", "org.slf4j.");

    static {
        registerAsParallelCapable();
    }

    private final ClassLoader host;

    HostApiClassLoader(ClassLoader host) {
        super("pg-node-host-api", ClassLoader.getPlatformClassLoader());
        this.host = requireNonNull(host, "host is null");
    }

    /**
     * Whether a plugin gets this class from the host: it is in a shared package and the host has it. A class
     * of a shared package the host lacks (say jul-to-slf4j's {@code org.slf4j.bridge}) stays the plugin's.
     */
    boolean provides(String className) {
        // org.pf4j.test holds pf4j's test helpers, which a plugin may bundle for itself
        return SHARED_PACKAGES.stream().anyMatch(className::startsWith)
                && !className.startsWith("org.pf4j.test.")
                && host.getResource(className.replace('.', '/') + ".class") != null;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (provides(name)) {
            return host.loadClass(name);
        }
        return super.loadClass(name, resolve); // the platform loader, i.e. the JDK
    }
}
