/**
 * The backend SPI of pg-node: what a plugin implements so that the node can run a proxy core for the panel.
 *
 * <p>A plugin ships one or more {@link io.pgnode.spi.BackendFactory} extensions. At boot the host indexes
 * them by {@link io.pgnode.spi.BackendFactory#backendType() backend type}. When the panel starts a backend
 * the host builds a {@link io.pgnode.spi.BackendContext}, calls
 * {@link io.pgnode.spi.BackendFactory#create(BackendContext)} and then {@link io.pgnode.spi.Backend#start()}.
 * From then on it forwards user syncs and stats queries to the {@link io.pgnode.spi.Backend} until it
 * closes it.
 *
 * <p>Everything here is plain Java: no protobuf, gRPC or HTTP type crosses this boundary. Values are
 * immutable records that copy their collections. Errors are {@link io.pgnode.spi.BackendException}s
 * with a {@link io.pgnode.spi.BackendException.Kind kind} that the host turns into the panel's status code.
 *
 * <p>Evolution rules: methods are only ever added, and only as {@code default} methods, so a plugin built
 * against an older SPI keeps loading. An optional ability's default throws
 * {@link io.pgnode.spi.BackendException#unsupported(String)}. Anything removed is deprecated for at least
 * one minor release first.
 */
package io.pgnode.spi;
