package io.pgnode.host.tls;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * The node's TLS identity as loaded at boot.
 *
 * @param material the key and certificate chain both transports serve
 * @param certificateFile the PEM the panel is given to pin
 */
public record NodeTls(TlsMaterial material, Path certificateFile) {

    public NodeTls {
        requireNonNull(material, "material is null");
        requireNonNull(certificateFile, "certificateFile is null");
    }
}
