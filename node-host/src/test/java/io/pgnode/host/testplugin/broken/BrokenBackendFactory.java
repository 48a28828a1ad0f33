package io.pgnode.host.testplugin.broken;

import io.pgnode.spi.Backend;
import io.pgnode.spi.BackendContext;
import io.pgnode.spi.BackendFactory;

/** A factory whose superclass is missing from its plugin: loading it fails with NoClassDefFoundError. */
public final class BrokenBackendFactory extends MissingBase implements BackendFactory {

    @Override
    public String name() {
        return "broken";
    }

    @Override
    public int backendType() {
        return 101;
    }

    @Override
    public Backend create(BackendContext context) {
        throw new UnsupportedOperationException("never loaded");
    }
}
