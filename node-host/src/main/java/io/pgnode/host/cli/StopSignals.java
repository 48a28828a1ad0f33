package io.pgnode.host.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes SIGTERM and SIGINT an orderly stop that ends with exit code 0. The JVM's own handling runs the shutdown
 * hooks too, but then exits with 143 or 130, which systemd and container runtimes count as a failure.
 *
 * <p>{@code sun.misc.Signal} (module jdk.unsupported, kept for exactly this use) is reached by reflection:
 * javac's "internal proprietary API" warning about it cannot be silenced, and on a runtime without that
 * module (a jlink image) the node keeps the JVM's handling instead of failing to start.
 */
final class StopSignals {

    private static final List<String> SIGNALS = List.of("TERM", "INT");

    private StopSignals() {}

    /** Runs {@code stop} (on a JVM thread) when one of the signals arrives. */
    static void install(Runnable stop) {
        Logger log = LoggerFactory.getLogger(StopSignals.class);
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            for (String name : SIGNALS) {
                Object signal = signalClass.getConstructor(String.class).newInstance(name);
                InvocationHandler onSignal = (proxy, method, args) -> switch (method.getName()) {
                    case "handle" -> {
                        log.info("SIG{} received", name);
                        stop.run();
                        yield null;
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> "stop on SIG" + name;
                };
                handle.invoke(null, signal, Proxy.newProxyInstance(
                        handlerClass.getClassLoader(), new Class<?>[] {handlerClass}, onSignal));
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            log.warn("Cannot handle SIGTERM and SIGINT ({}); they still stop the node, with exit code 143 or 130",
                    e.toString());
        }
    }
}
