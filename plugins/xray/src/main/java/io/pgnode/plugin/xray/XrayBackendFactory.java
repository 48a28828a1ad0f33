package io.pgnode.plugin.xray;

import io.pgnode.spi.Backend;
import io.pgnode.spi.BackendContext;
import io.pgnode.spi.BackendFactory;
import java.util.Set;
import org.pf4j.Extension;

/**
 * The Xray backend (panel backend type 0): runs an Xray or v2fly V2Ray core. Reads the settings
 * XRAY_EXECUTABLE_PATH, XRAY_ASSETS_PATH, GENERATED_CONFIG_PATH and DEBUG.
 */
@Extension
public final class XrayBackendFactory implements BackendFactory {

    /** The panel's BackendType XRAY. */
    public static final int BACKEND_TYPE = 0;

    @Override
    public String name() {
        return "xray";
    }

    @Override
    public int backendType() {
        return BACKEND_TYPE;
    }

    @Override
    public Set<String> settingNames() {
        return XraySettings.NAMES;
    }

    /**
     * Checks the settings and the panel's config (INVALID_CONFIG when either cannot run) and returns an
     * unstarted backend. The core executable is looked for on {@link Backend#start()}.
     */
    @Override
    public Backend create(BackendContext context) {
        XraySettings settings = XraySettings.from(context.settings());
        PanelConfig config = PanelConfig.parse(context.config(), context.excludedInbounds());
        return new XrayBackend(context, settings, config, CoreApiConnector.loopback(),
                XrayBackend.Tuning.DEFAULTS, System.getenv("PATH"));
    }
}
