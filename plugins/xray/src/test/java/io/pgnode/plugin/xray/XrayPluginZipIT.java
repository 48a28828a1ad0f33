package io.pgnode.plugin.xray;

import static io.pgnode.plugin.xray.TestUsers.user;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgnode.spi.Backend;
import io.pgnode.spi.BackendFactory;
import io.pgnode.spi.Stat;
import io.pgnode.spi.StatQuery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.ClassLoadingStrategy;
import org.pf4j.CompoundPluginLoader;
import org.pf4j.DefaultPluginLoader;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginLoader;
import org.pf4j.PluginManager;

/**
 * The built plugin zip, loaded as a host loads it: a plain pf4j manager over a plugins directory, with only
 * the SPI, pf4j and slf4j visible from the parent. Proves the zip is complete (every private dependency in
 * lib/) by running a real core through it.
 */
class XrayPluginZipIT {

    @TempDir
    Path plugins;

    @Test
    void theZipLoadsWithOneXrayFactoryThatRunsARealCore() throws Exception {
        Path zip = Path.of(System.getProperty("pgnode.pluginZip", "target/xray-plugin.zip"));
        assertThat(zip).as("built by the package phase").exists();
        Files.copy(zip, plugins.resolve(zip.getFileName()));
        ClassLoader host = new HostApiClassLoader(getClass().getClassLoader());
        PluginManager manager = new DefaultPluginManager(plugins) {
            @Override
            protected PluginLoader createPluginLoader() {
                PluginManager self = this;
                return new CompoundPluginLoader().add(new DefaultPluginLoader(this) {
                    @Override
                    protected PluginClassLoader createPluginClassLoader(Path pluginPath, PluginDescriptor descriptor) {
                        return new PluginClassLoader(self, descriptor, host, ClassLoadingStrategy.PDA);
                    }
                });
            }
        };
        try {
            manager.loadPlugins();
            manager.startPlugins();

            assertThat(manager.getPlugins()).extracting(p -> p.getPluginId()).containsExactly("xray");
            List<BackendFactory> factories = manager.getExtensions(BackendFactory.class);
            assertThat(factories).hasSize(1);
            BackendFactory factory = factories.get(0);
            assertThat(factory.name()).isEqualTo("xray");
            assertThat(factory.backendType()).isZero();
            assertThat(factory.settingNames()).contains("XRAY_EXECUTABLE_PATH", "XRAY_DRAIN_INTERVAL");
            assertThat(factory.getClass().getClassLoader()).isInstanceOf(PluginClassLoader.class);

            runCoreThrough(factory, factory.getClass().getClassLoader());
        } finally {
            manager.unloadPlugins(); // stops them too (stopPlugins() itself trips over its own list in pf4j 3.15)
        }
    }

    /** Start, sync, proxied traffic, stats and stop, with the plugin's loader as context loader (as the host does). */
    private void runCoreThrough(BackendFactory factory, ClassLoader pluginLoader) throws Exception {
        TestingServerInbounds inbounds = TestingServerInbounds.onFreePorts();
        TestingBackendContext context = new TestingBackendContext(inbounds.panelConfig(),
                List.of(user("zip@x", "vless-in")), Set.of(),
                Map.of("XRAY_EXECUTABLE_PATH", RealV2ray.executable().toString()), plugins);
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(pluginLoader);
        try (TestingHttpServer http = new TestingHttpServer();
                TestingV2rayClient client = TestingV2rayClient.start(inbounds.routes("zip@x", ""));
                Backend backend = factory.create(context)) {
            backend.start();
            assertThat(backend.coreVersion()).isEqualTo("4.34.0");
            int port = client.socksPort(TestingServerInbounds.route("zip@x", "", "vless"));
            assertThat(Socks5Fetch.fetch(port, http.port(), 10_000, Duration.ofSeconds(5))).isEqualTo(10_000);
            assertThat(backend.stats(new StatQuery(StatQuery.Scope.USER, "zip@x", false)))
                    .extracting(Stat::value).allMatch(v -> v > 0);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** What a host exposes to plugins: the SPI, pf4j and slf4j; nothing else of the application. */
    private static final class HostApiClassLoader extends ClassLoader {
        private static final List<String> SHARED = List.of("io.pgnode.spi.", "org.pf4j.", "org.slf4j.");
        private final ClassLoader application;

        HostApiClassLoader(ClassLoader application) {
            super(null);
            this.application = application;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (SHARED.stream().anyMatch(name::startsWith)) {
                return application.loadClass(name);
            }
            return super.loadClass(name, resolve);
        }
    }
}
