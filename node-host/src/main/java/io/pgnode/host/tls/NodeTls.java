package io.pgnode.host.tls;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * The node's TLS identity as loaded at boot.
 *
 * @param material the key and certificate chain both transports serve
 * @param certificateFile the PEM the panel is given to pin
 * @param source where the pair came from
 */
public record NodeTls(TlsMaterial material, Path certificateFile, Source source) {

    /** Where a certificate and key pair came from. */
    public enum Source {
        /** SSL_CERT_FILE and SSL_KEY_FILE. */
        CONFIGURED,
        /** Generated on an earlier run and read from the data directory. */
        STORED,
        /** Generated (or renewed) just now into the data directory. */
        GENERATED
    }

    public NodeTls {
        requireNonNull(material, "material is null");
        requireNonNull(certificateFile, "certificateFile is null");
        requireNonNull(source, "source is null");
    }
}
