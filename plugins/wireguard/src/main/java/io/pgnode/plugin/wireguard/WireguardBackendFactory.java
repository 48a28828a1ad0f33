package io.pgnode.plugin.wireguard;

import io.pgnode.spi.Backend;
import io.pgnode.spi.BackendContext;
import io.pgnode.spi.BackendFactory;
import java.util.Set;
import org.pf4j.Extension;

/**
 * The WireGuard backend (panel backend type 1): one WireGuard interface whose peers are the panel's users. Reads the
 * settings WIREGUARD_MODE, WIREGUARD_GO_PATH, WIREGUARD_WG_PATH, WIREGUARD_IP_PATH, WIREGUARD_CURL_PATH and
 * WIREGUARD_LOG_LEVEL.
 */
@Extension
public final class WireguardBackendFactory implements BackendFactory {

    /** The panel's BackendType WIREGUARD. */
    public static final int BACKEND_TYPE = 1;

    @Override
    public String name() {
        return "wireguard";
    }

    @Override
    public int backendType() {
        return BACKEND_TYPE;
    }

    @Override
    public Set<String> settingNames() {
        return WireguardSettings.NAMES;
    }

    /**
     * Checks the settings and the panel's config (INVALID_CONFIG when either cannot run) and returns a backend that
     * has not touched the network yet: tools, permissions and the port are checked at {@link Backend#start()}.
     */
    @Override
    public Backend create(BackendContext context) {
        WireguardSettings settings = WireguardSettings.from(context.settings());
        InterfaceConfig config = InterfaceConfig.parse(context.config());
        return new WireguardBackend(context, settings, config, WireguardBackend.Tuning.defaults(),
                System.getenv("PATH"));
    }
}
