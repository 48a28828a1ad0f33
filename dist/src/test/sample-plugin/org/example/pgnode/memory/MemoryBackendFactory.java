package org.example.pgnode.memory;

import io.pgnode.spi.Backend;
import io.pgnode.spi.BackendContext;
import io.pgnode.spi.BackendException;
import io.pgnode.spi.BackendFactory;
import java.util.Set;
import org.pf4j.Extension;

/** Backend type 100, "memory": keeps the panel's users in memory. Reads MEMORY_GREETING. */
@Extension
public final class MemoryBackendFactory implements BackendFactory {

    static final String GREETING = "MEMORY_GREETING";

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public int backendType() {
        return 100;
    }

    @Override
    public Set<String> settingNames() {
        return Set.of(GREETING);
    }

    @Override
    public Backend create(BackendContext context) {
        if (context.config().isBlank()) {
            throw new BackendException(BackendException.Kind.INVALID_CONFIG,
                    "the memory backend needs a config: any text naming this node");
        }
        return new MemoryBackend(context, context.settings().getOrDefault(GREETING, "hello"));
    }
}
