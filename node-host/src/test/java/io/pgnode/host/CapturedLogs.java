package io.pgnode.host;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * What a logger and the loggers below it log at INFO and above while open, i.e. what an operator reads in the
 * node's log: one class ({@code CapturedLogs.of(BackendRegistry.class)}), or the node and every plugin
 * ({@code CapturedLogs.of("io.pgnode")}; a plugin logs through the node's slf4j, so its lines land here too,
 * although its classes are not on the test's class path).
 */
public final class CapturedLogs implements AutoCloseable {

    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Level level;

    private CapturedLogs(Logger logger) {
        this.logger = logger;
        this.level = logger.getLevel();
        logger.setLevel(Level.INFO); // the tests' logback config keeps the node quiet below WARN
        appender.start();
        logger.addAppender(appender);
    }

    /** What this class logs. */
    public static CapturedLogs of(Class<?> source) {
        return new CapturedLogs((Logger) LoggerFactory.getLogger(source));
    }

    /** What the logger of this name and those below it log, e.g. {@code "io.pgnode"} for the node and its plugins. */
    public static CapturedLogs of(String loggerName) {
        return new CapturedLogs((Logger) LoggerFactory.getLogger(loggerName));
    }

    /** "LEVEL message" of each event so far, then " <- Type: message" for each attached exception and cause. */
    public List<String> lines() {
        return lines(null);
    }

    /** {@link #lines()} of the events that the logger of this name logged (a plugin's class, by name). */
    public List<String> linesOf(String loggerName) {
        return lines(loggerName);
    }

    private List<String> lines(String loggerName) {
        List<ILoggingEvent> events;
        synchronized (appender) { // AppenderBase appends under the appender's monitor
            events = List.copyOf(appender.list);
        }
        List<String> lines = new ArrayList<>();
        for (ILoggingEvent event : events) {
            if (loggerName != null && !loggerName.equals(event.getLoggerName())) {
                continue;
            }
            StringBuilder line = new StringBuilder().append(event.getLevel()).append(' ')
                    .append(event.getFormattedMessage());
            for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
                line.append(" <- ").append(t.getClassName()).append(": ").append(t.getMessage());
            }
            lines.add(line.toString());
        }
        return lines;
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setLevel(level);
        appender.stop();
    }
}
