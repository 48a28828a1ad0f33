package io.pgnode.host.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgnode.spi.BackendFactory;
import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;

/** What of the host a plugin can see. */
class HostApiClassLoaderTest {

    private final HostApiClassLoader hostApi = new HostApiClassLoader(HostApiClassLoaderTest.class.getClassLoader());

    @Test
    void sharesTheSpiPf4jAndSlf4jAsTheHostsOwnClasses() throws ClassNotFoundException {
        assertThat(hostApi.loadClass(BackendFactory.class.getName())).isSameAs(BackendFactory.class);
        assertThat(hostApi.loadClass("org.pf4j.ExtensionPoint")).isSameAs(org.pf4j.ExtensionPoint.class);
        assertThat(hostApi.loadClass("org.slf4j.LoggerFactory")).isSameAs(org.slf4j.LoggerFactory.class);
    }

    @Test
    void showsTheJdkButNoneOfTheHostsLibraries() throws ClassNotFoundException {
        assertThat(hostApi.loadClass("java.net.http.HttpClient")).isSameAs(java.net.http.HttpClient.class);
        assertThatThrownBy(() -> hostApi.loadClass("io.undertow.Undertow")).isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> hostApi.loadClass("com.fasterxml.jackson.databind.ObjectMapper"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThat(hostApi.getResource("logback.xml")).isNull();
    }

    @Test
    void leavesSharedPackageClassesTheHostLacksToThePlugin() {
        HostApiClassLoader bareHost = new HostApiClassLoader(new URLClassLoader(new URL[0], null));

        assertThat(hostApi.provides("org.slf4j.Logger")).isTrue();
        assertThat(hostApi.provides("org.slf4j.bridge.SLF4JBridgeHandler")).isFalse();
        assertThat(hostApi.provides("org.pf4j.test.PluginJar")).isFalse();
        assertThat(bareHost.provides("org.slf4j.Logger")).isFalse();
    }
}
