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

    static boolean isShared(String className) {
        // org.pf4j.test holds pf4j's test helpers, which a plugin may bundle for itself
        return SHARED_PACKAGES.stream().anyMatch(className::startsWith) && !className.startsWith("org.pf4j.test.");
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (isShared(name)) {
            return host.loadClass(name);
        }
        return super.loadClass(name, resolve); // the platform loader, i.e. the JDK
    }
}
