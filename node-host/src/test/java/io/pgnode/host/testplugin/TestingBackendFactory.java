package io.pgnode.host.testplugin;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgnode.spi.Backend;
import io.pgnode.spi.BackendContext;
import io.pgnode.spi.BackendFactory;
import io.pgnode.spi.User;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.pf4j.Extension;

/** Serves backend type 100 as "testing". */
@Extension
public final class TestingBackendFactory implements BackendFactory {

    public static final int TYPE = 100;

    @Override
    public String name() {
        return "testing";
    }

    @Override
    public int backendType() {
        return TYPE;
    }

    @Override
    public Set<String> settingNames() {
        return Set.of("TESTING_GREETING", "TESTING_SECRET");
    }

    @Override
    public Set<String> secretSettingNames() {
        return Set.of("TESTING_SECRET");
    }

    @Override
    public Backend create(BackendContext context) {
        TestingJournal journal = new TestingJournal(context.workDirectory());
        TestingConfig config = TestingConfig.parse(context.config());
        journal.record("create users=" + context.users().stream().map(User::email).toList()
                + " excluded=" + new TreeSet<>(context.excludedInbounds())
                + " settings=" + new TreeMap<>(context.settings())
                + " jackson=" + (ObjectMapper.class.getClassLoader() == getClass().getClassLoader() ? "plugin" : "host")
                + " host-classes=" + (hostClassVisible() ? "visible" : "hidden"));
        config.failIfAsked("create");
        return new TestingBackend(context, config, journal);
    }

    // A plugin must not see the host's libraries, only the SPI, pf4j and slf4j.
    private boolean hostClassVisible() {
        try {
            Class.forName("io.undertow.Undertow", false, getClass().getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
